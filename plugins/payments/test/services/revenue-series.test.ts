// The revenue widget's daily series: every day of the period present, net of refunds, per currency.
import { describe, expect, it } from 'vitest'
import { dailySeries } from '../../services/revenue-service.ts'

describe('daily revenue series', () => {
  it('buckets net amounts by UTC day, zero-fills the period and keeps currencies apart', () => {
    const since = new Date('2026-11-01T15:00:00Z')
    const series = dailySeries(
      [
        {
          currency: 'usd',
          amountMinor: 19_900,
          amountRefundedMinor: 5_000,
          succeededAt: new Date('2026-11-01T23:59:59Z')
        },
        { currency: 'usd', amountMinor: 1_000, succeededAt: new Date('2026-11-03T00:00:00Z') },
        { currency: 'usd', amountMinor: 2_000, succeededAt: new Date('2026-11-03T12:00:00Z') },
        { currency: 'eur', amountMinor: 7_700, succeededAt: new Date('2026-11-02T08:00:00Z') }
      ],
      since,
      3
    )
    expect(series('usd')).toEqual([
      { day: '2026-11-01', netMinor: 14_900 },
      { day: '2026-11-02', netMinor: 0 },
      { day: '2026-11-03', netMinor: 3_000 },
      { day: '2026-11-04', netMinor: 0 }
    ])
    expect(series('eur').map((point) => point.netMinor)).toEqual([0, 7_700, 0, 0])
  })
})
