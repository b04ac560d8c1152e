// Rollup contributions: a lead's count moves between slices when its status, rank or owner changes and
// nets to nothing when unchanged; stage exits and revenue land in the four slices of their day.
import { describe, expect, it } from 'vitest'
import {
  leadCountChange,
  nextDayStart,
  revenueIncrements,
  stageIncrements,
  startOfDay,
  sumIncrements
} from '../../domain/rollup-slots.ts'

const lead = { createdAt: '2026-03-04T22:10:00.000Z', source: { utmSource: 'ig' }, masterclassId: 'mc-1' }

describe('rollup slots', () => {
  it('days are UTC and a midnight is its own day start', () => {
    expect(startOfDay(new Date('2026-03-04T22:10:00Z')).toISOString()).toBe('2026-03-04T00:00:00.000Z')
    expect(nextDayStart(new Date('2026-03-04T00:00:00Z')).toISOString()).toBe('2026-03-04T00:00:00.000Z')
    expect(nextDayStart(new Date('2026-03-04T00:00:01Z')).toISOString()).toBe('2026-03-05T00:00:00.000Z')
  })

  it('a new lead counts once in each slice; an unchanged one changes nothing', () => {
    const now = { status: 'NEW' as const, funnelRank: 0, rep: null }
    const created = leadCountChange(lead, null, now)
    expect(created.map((i) => `${i.slot.dim}:${i.slot.key}`)).toEqual([
      'all:null',
      'source:ig',
      'masterclass:mc-1',
      'rep:null'
    ])
    expect(created[0].inc).toEqual({ 'n.NEW': 1, 'r.0': 1 })
    expect(leadCountChange(lead, now, { ...now })).toEqual([])
  })

  it('an owner change moves the count between rep slices and nets to zero elsewhere', () => {
    const was = { status: 'PAID' as const, funnelRank: 2, rep: 'rep-a' }
    const sums = [...sumIncrements(leadCountChange(lead, was, { ...was, rep: 'rep-b' })).values()]
    const nonZero = sums
      .map(({ slot, inc }) => ({
        slice: `${slot.dim}:${slot.key}`,
        inc: Object.entries(inc).filter(([, v]) => v)
      }))
      .filter(({ inc }) => inc.length > 0)
    expect(nonZero).toEqual([
      {
        slice: 'rep:rep-a',
        inc: [
          ['n.PAID', -1],
          ['r.2', -1]
        ]
      },
      {
        slice: 'rep:rep-b',
        inc: [
          ['n.PAID', 1],
          ['r.2', 1]
        ]
      }
    ])
  })

  it('creation entries are no stage exit; exits and revenue land in four slices', () => {
    expect(stageIncrements({ from: null, at: lead.createdAt, durationMs: 0 })).toEqual([])
    const exits = stageIncrements({ from: 'NEW', at: lead.createdAt, durationMs: 3_600_000, utmSource: 'ig' })
    expect(exits).toHaveLength(4)
    expect(exits[1]).toMatchObject({ slot: { kind: 'stage', dim: 'source', key: 'ig', sub: 'NEW' } })
    expect(exits[1].inc).toMatchObject({ count: 1, sumMs: 3_600_000 })
    expect(revenueIncrements({ at: lead.createdAt, currency: 'EUR' }, 0)).toEqual([])
    expect(revenueIncrements({ at: lead.createdAt, currency: 'EUR' }, -500)[0]).toMatchObject({
      slot: { kind: 'revenue', sub: 'EUR' },
      inc: { amountMinor: -500 }
    })
  })
})
