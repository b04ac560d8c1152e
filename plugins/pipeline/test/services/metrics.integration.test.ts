// Sales metrics over real HTTP against a hand-computed fixture: funnel reach, conversion between
// consecutive stages, revenue per currency, average/median time in stage, per dimension; and isolation:
// another tenant's leads never count, and staff of another tenant cannot read them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_METRICS_PERIOD_DAYS } from '../../contract.ts'
import { PERIOD, writeMetricsFixture, writeNoise } from '../support/metrics-fixture.ts'
import { call, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

const HOUR = 3600_000
let t: PipelineTestApp

const metrics = async (
  query: string,
  user: 'avaHost' | 'avaRep' | 'marcoHost' | 'northAdmin' = 'avaHost',
  headers = {}
) =>
  call(t.url, 'GET', `/pipeline/metrics?from=${PERIOD.from}&to=${PERIOD.to}${query}`, undefined, {
    tenant: t.tenants.ava.slug,
    token: await t.token(user),
    headers
  })

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-metrics')
  await writeMetricsFixture(t, t.tenants.ava._id, {
    reps: { r1: t.users.avaRep._id, r2: t.users.avaHost._id }
  })
  await writeNoise(t, t.tenants.marco._id)
})
afterAll(async () => {
  await t?.close()
})

describe('pipeline metrics', () => {
  it('totals: reach, conversion, revenue, time in stage and status counts', async () => {
    const response = await metrics('')
    expect(response.status).toBe(200)
    const body = response.body
    expect(body.period).toEqual(PERIOD)
    // Leads 1-6 are in the period (7 is not). Reach counts a lead at every stage up to its funnelRank.
    expect(body.totals.reached).toEqual({ NEW: 6, INVOICED: 5, PAID: 4, ATTENDED: 2, SCHEDULED: 2, WON: 1 })
    expect(body.totals.lost).toBe(1)
    expect(body.totals.conversion).toEqual({
      'NEW->INVOICED': 5 / 6,
      'INVOICED->PAID': 4 / 5,
      'PAID->ATTENDED': 2 / 4,
      'ATTENDED->SCHEDULED': 1,
      'SCHEDULED->WON': 1 / 2
    })
    // EUR: 10000 + 10000 + 5000 + 5000 - 5000 (refund); USD: 3000. The 9999 before the period is out.
    expect(body.totals.revenueMinor).toEqual({ EUR: 25_000, USD: 3_000 })
    expect(body.timeInStage).toEqual([
      { status: 'NEW', count: 5, avgMs: 6 * HOUR, medianMs: 3 * HOUR },
      { status: 'INVOICED', count: 3, avgMs: 1 * HOUR, medianMs: 1 * HOUR },
      { status: 'PAID', count: 1, avgMs: 5 * HOUR, medianMs: 5 * HOUR }
    ])
    expect(body.byStatus).toEqual({
      NEW: 1,
      INVOICED: 1,
      PAID: 1,
      ATTENDED: 0,
      SCHEDULED: 1,
      WON: 1,
      LOST: 1
    })
  })

  it('per source', async () => {
    const { body } = await metrics('&dimension=source')
    expect(body.dimension).toBe('source')
    const bySource = Object.fromEntries(body.groups.map((g: any) => [g.key, g]))
    expect(Object.keys(bySource).sort()).toEqual(['ig', 'tiktok'])
    expect(bySource.ig.reached).toEqual({ NEW: 4, INVOICED: 4, PAID: 3, ATTENDED: 2, SCHEDULED: 2, WON: 1 })
    expect(bySource.ig.revenueMinor).toEqual({ EUR: 25_000, USD: 3_000 })
    expect(bySource.tiktok.reached).toEqual({
      NEW: 2,
      INVOICED: 1,
      PAID: 1,
      ATTENDED: 0,
      SCHEDULED: 0,
      WON: 0
    })
    expect(bySource.tiktok.lost).toBe(1)
    expect(bySource.tiktok.conversion['NEW->INVOICED']).toBe(0.5)
    expect(bySource.tiktok.conversion['ATTENDED->SCHEDULED']).toBeNull()
    expect(bySource.tiktok.revenueMinor).toEqual({ EUR: 0 })
  })

  it('per rep and per masterclass', async () => {
    const reps = (await metrics('&dimension=rep')).body
    const byRep = Object.fromEntries(reps.groups.map((g: any) => [String(g.key), g]))
    expect(byRep[t.users.avaRep._id].reached.NEW).toBe(3)
    expect(byRep[t.users.avaRep._id].revenueMinor).toEqual({ EUR: 20_000, USD: 3_000 })
    expect(byRep[t.users.avaHost._id].reached).toMatchObject({ NEW: 2, PAID: 2, ATTENDED: 0 })
    expect(byRep[t.users.avaHost._id].revenueMinor).toEqual({ EUR: 5_000 })
    expect(byRep.null.reached.NEW).toBe(1)
    const classes = (await metrics('&dimension=masterclass')).body
    const byClass = Object.fromEntries(classes.groups.map((g: any) => [g.key, g.reached.NEW]))
    expect(byClass).toEqual({ A: 4, B: 2 })
  })

  it('filters narrow every figure', async () => {
    const { body } = await metrics(`&source=tiktok`)
    expect(body.totals.reached.NEW).toBe(2)
    expect(body.totals.revenueMinor).toEqual({ EUR: 0 })
    expect(body.timeInStage).toEqual([
      { status: 'NEW', count: 1, avgMs: 4 * HOUR, medianMs: 4 * HOUR },
      { status: 'PAID', count: 1, avgMs: 5 * HOUR, medianMs: 5 * HOUR }
    ])
  })

  it('a period starting mid-day adds the partial day to the whole days, per filter and per group', async () => {
    const query = `/pipeline/metrics?from=2025-12-31T12:00:00.000Z&to=${PERIOD.to}&source=tiktok&dimension=source`
    const { body } = await call(t.url, 'GET', query, undefined, {
      tenant: t.tenants.ava.slug,
      token: await t.token('avaHost')
    })
    expect(body.totals.reached).toEqual({ NEW: 2, INVOICED: 1, PAID: 1, ATTENDED: 0, SCHEDULED: 0, WON: 0 })
    expect(body.groups).toHaveLength(1)
    expect(body.groups[0]).toMatchObject({ key: 'tiktok', lost: 1, revenueMinor: { EUR: 0 } })
    expect(body.groups[0].reached.NEW).toBe(2)
  })

  it('without a start, the period is the contract’s default number of days before its end', async () => {
    const { body } = await call(t.url, 'GET', `/pipeline/metrics?to=${PERIOD.to}`, undefined, {
      tenant: t.tenants.ava.slug,
      token: await t.token('avaHost')
    })
    expect(DEFAULT_METRICS_PERIOD_DAYS).toBe(30)
    expect(body.period).toEqual({
      from: new Date(Date.parse(PERIOD.to) - DEFAULT_METRICS_PERIOD_DAYS * 24 * HOUR).toISOString(),
      to: PERIOD.to
    })
  })

  it('refuses unknown query keys and bad values with field messages', async () => {
    const response = await metrics('&dimension=planet&tenantId=x')
    expect(response.status).toBe(400)
    expect(response.body.errors).toEqual([
      { path: 'dimension', message: 'must be one of source, masterclass, rep' }
    ])
    const injected = await call(t.url, 'GET', '/pipeline/metrics?source[$ne]=x', undefined, {
      tenant: t.tenants.ava.slug,
      token: await t.token('avaHost')
    })
    expect(injected.status).toBe(400)
  })
})

describe('pipeline metrics: tenant isolation', () => {
  it('staff of another tenant cannot read this tenant’s metrics', async () => {
    expect((await metrics('', 'marcoHost')).status).toBe(403)
  })

  it('the other tenant sees only its own figures', async () => {
    const response = await call(
      t.url,
      'GET',
      `/pipeline/metrics?from=${PERIOD.from}&to=${PERIOD.to}`,
      undefined,
      {
        tenant: t.tenants.marco.slug,
        token: await t.token('marcoHost')
      }
    )
    expect(response.body.totals.reached.NEW).toBe(3)
    expect(response.body.totals.revenueMinor).toEqual({ EUR: 777_777 })
  })

  it('an agency admin’s agency-wide view sums both tenants of the agency', async () => {
    const response = await metrics('', 'northAdmin', { 'x-tenant-scope': 'agency' })
    expect(response.status).toBe(200)
    expect(response.body.totals.reached.NEW).toBe(9)
    expect(response.body.totals.revenueMinor).toEqual({ EUR: 802_777, USD: 3_000 })
  })
})
