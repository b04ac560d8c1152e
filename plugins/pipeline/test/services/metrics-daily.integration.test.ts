// The sales metrics' per-day series over real HTTP against a hand-computed fixture: new leads and net revenue
// (a refund subtracts on its own day) per calendar day of a time zone, days without figures zero-filled, a
// day boundary that differs between New York and UTC, and the tenant's own zone as the default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rebuildRollups } from '../../services/rollup-rebuild.ts'
import { call, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

let t: PipelineTestApp
/** Midnight 1 March to midnight 5 March in New York (EST, UTC−5: daylight saving starts on 8 March). */
const PERIOD = { from: '2026-03-01T05:00:00.000Z', to: '2026-03-05T05:00:00.000Z' }

const metrics = async (
  query: string,
  tenant = t.tenants.ava.slug,
  user: 'avaHost' | 'marcoHost' = 'avaHost'
) =>
  call(t.url, 'GET', `/pipeline/metrics?from=${PERIOD.from}&to=${PERIOD.to}${query}`, undefined, {
    tenant,
    token: await t.token(user)
  })

async function writeFixture(tenantId: string): Promise<void> {
  const at = (iso: string) => new Date(iso)
  const lead = (n: number, createdAt: string, source: string) => ({
    email: `daily-${n}@example.com`,
    name: `Daily ${n}`,
    masterclassId: 'A',
    masterclassIds: ['A'],
    source: { utmSource: source },
    status: 'NEW',
    funnelRank: 0,
    stageEnteredAt: at(createdAt),
    createdAt: at(createdAt),
    updatedAt: at(createdAt)
  })
  await t.asTenant(tenantId, async () => {
    const inserted = await t.model('lead').insertMany(
      [
        lead(1, '2026-03-01T12:00:00Z', 'ig'), // NY 1 March, UTC 1 March
        lead(2, '2026-03-02T03:00:00Z', 'ig'), // NY 1 March 22:00, UTC 2 March
        lead(3, '2026-03-02T06:00:00Z', 'tiktok'), // NY and UTC 2 March
        lead(4, '2026-03-05T04:30:00Z', 'ig'), // NY 4 March 23:30, UTC 5 March (still in the period)
        lead(5, '2026-03-01T04:00:00Z', 'ig') // NY 28 February 23:00: before the period
      ],
      { timestamps: false } as any
    )
    const entry = (key: string, n: number, amountMinor: number, currency: string, iso: string) => ({
      key,
      leadId: String(inserted[n - 1]._id),
      amountMinor,
      currency,
      at: at(iso),
      masterclassId: 'A',
      utmSource: inserted[n - 1].source.utmSource
    })
    await t.model('revenue-entry').insertMany([
      entry('payment:a', 1, 10_000, 'EUR', '2026-03-01T15:00:00Z'), // NY and UTC 1 March
      entry('payment:b', 2, 5_000, 'EUR', '2026-03-03T02:00:00Z'), // NY 2 March 21:00, UTC 3 March
      entry('refund:b', 2, -2_000, 'EUR', '2026-03-03T16:00:00Z'), // NY and UTC 3 March
      entry('payment:c', 3, 3_000, 'USD', '2026-03-02T12:00:00Z'), // NY and UTC 2 March
      entry('payment:d', 4, 7_000, 'EUR', '2026-03-05T06:00:00Z') // after the period
    ])
    await rebuildRollups(t.models())
  })
}

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-metrics-daily')
  await writeFixture(t.tenants.ava._id)
  await writeFixture(t.tenants.marco._id)
  // Marco's studio counts its days in New York (its brand copy's `timezone`).
  const tenants = t.app.service('tenants') as any
  await tenants.patch(t.tenants.marco._id, {
    theme: {
      colors: { primary: '#123456', background: '#ffffff', text: '#000000' },
      fonts: { heading: 'Inter', body: 'Inter' },
      copy: { timezone: 'America/New_York' }
    }
  })
})
afterAll(async () => {
  await t?.close()
})

const day = (date: string, leads: number, eur: number, usd: number) => ({
  day: date,
  leads,
  revenueMinor: { EUR: eur, USD: usd }
})

describe('pipeline metrics per day', () => {
  it('counts new leads and net revenue per New York day, a refund on its own day, empty days as zero', async () => {
    const response = await metrics('&series=day&timeZone=America/New_York')
    expect(response.status).toBe(200)
    expect(response.body.daily).toEqual({
      timeZone: 'America/New_York',
      days: [
        day('2026-03-01', 2, 10_000, 0),
        day('2026-03-02', 1, 5_000, 3_000),
        day('2026-03-03', 0, -2_000, 0),
        day('2026-03-04', 1, 0, 0)
      ]
    })
    // The days add up to the period's totals.
    expect(response.body.totals.revenueMinor).toEqual({ EUR: 13_000, USD: 3_000 })
    expect(response.body.totals.reached.NEW).toBe(4)
  })

  it('the same period in UTC cuts the days elsewhere (partial first and last days included)', async () => {
    const { body } = await metrics('&series=day&timeZone=UTC')
    expect(body.daily).toEqual({
      timeZone: 'UTC',
      days: [
        day('2026-03-01', 1, 10_000, 0),
        day('2026-03-02', 2, 0, 3_000),
        day('2026-03-03', 0, 3_000, 0),
        day('2026-03-04', 0, 0, 0),
        day('2026-03-05', 1, 0, 0)
      ]
    })
  })

  it("defaults to the tenant's zone, else UTC; filters apply to the series", async () => {
    const marco = await metrics('&series=day', t.tenants.marco.slug, 'marcoHost')
    expect(marco.body.daily.timeZone).toBe('America/New_York')
    expect(marco.body.daily.days.map((d: any) => d.leads)).toEqual([2, 1, 0, 1])
    const ava = await metrics('&series=day')
    expect(ava.body.daily.timeZone).toBe('UTC')
    // A fixed-offset zone (POSIX sign: UTC−5, as New York in early March).
    const fixed = await metrics('&series=day&timeZone=Etc/GMT%2B5')
    expect(fixed.body.daily.days.map((d: any) => d.leads)).toEqual([2, 1, 0, 1])
    const ig = await metrics('&series=day&timeZone=America/New_York&source=ig')
    expect(ig.body.daily.days).toEqual([
      { day: '2026-03-01', leads: 2, revenueMinor: { EUR: 10_000 } },
      { day: '2026-03-02', leads: 0, revenueMinor: { EUR: 5_000 } },
      { day: '2026-03-03', leads: 0, revenueMinor: { EUR: -2_000 } },
      { day: '2026-03-04', leads: 1, revenueMinor: { EUR: 0 } }
    ])
  })

  it('only when asked; an unknown zone, an unknown series or a too long period is a 400', async () => {
    expect((await metrics('')).body).not.toHaveProperty('daily')
    const zone = await metrics('&series=day&timeZone=Mars/Olympus')
    expect(zone.status).toBe(400)
    expect(zone.body.errors).toEqual([
      { path: 'timeZone', message: 'must be an IANA time zone name (e.g. Europe/Lisbon)' }
    ])
    expect((await metrics('&series=week')).status).toBe(400)
    const long = await call(
      t.url,
      'GET',
      '/pipeline/metrics?from=2020-01-01T00:00:00.000Z&to=2026-01-01T00:00:00.000Z&series=day',
      undefined,
      { tenant: t.tenants.ava.slug, token: await t.token('avaHost') }
    )
    expect(long.status).toBe(400)
    expect(long.body.errors).toEqual([{ path: 'series', message: 'covers periods of up to 732 days' }])
  })
})
