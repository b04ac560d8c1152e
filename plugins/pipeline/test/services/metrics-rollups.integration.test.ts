// Metrics rollups stay exact under at-least-once delivery: every event handled twice, concurrently and
// out of order, manual moves and owner changes racing them; afterwards the live rollups equal a rebuild
// from the leads, history and revenue entries, no counter is negative, and the figures are the hand-
// computed ones. Also: syncing one lead many times at once counts it once.
import mongoose from 'mongoose'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LeadTracker } from '../../services/lead-tracker.ts'
import { rebuildRollups } from '../../services/rollup-rebuild.ts'
import { syncLeadCount } from '../../services/rollup-writer.ts'
import { leadEventHandlers } from '../../subscribers/lead-event-handlers.ts'
import { call, eventually, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

let t: PipelineTestApp
let tenant: string
/** Two masterclasses of the tenant's catalogue, alternated by registration. */
let masterclasses: string[]
const silent = pino({ level: 'silent' })

async function register(n: number, utmSource: string): Promise<any> {
  const email = `rollup-${n}@example.com`
  const response = await call(
    t.url,
    'POST',
    '/pipeline/registrations',
    { name: `Rollup ${n}`, email, masterclassId: masterclasses[n % 2], consent: true, utmSource },
    { tenant: t.tenants.ava.slug }
  )
  expect(response.status).toBe(201)
  return eventually(async () => {
    const lead = await t.asTenant(tenant, () => t.model('lead').findOne({ email }).lean())
    return lead?.countedAs && lead
  })
}

/** The tenant's rollups, comparable: no ids, zero counters dropped, sorted. */
async function rollupSnapshot(): Promise<any[]> {
  const docs = await t.asTenant(tenant, () => t.model('metrics-rollup').find({}, { _id: 0 }).lean())
  const clean = (value: any): any => {
    if (value instanceof Date) return value.toISOString()
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => v !== 0)
          .map(([k, v]) => [k, clean(v)])
          .sort(([a], [b]) => a.localeCompare(b))
      )
    return value
  }
  return docs
    .map(clean)
    .filter((doc: any) =>
      ['n', 'r', 'count', 'amountMinor'].some(
        (f) => doc[f] !== undefined && doc[f] !== 0 && JSON.stringify(doc[f]) !== '{}'
      )
    )
    .sort((a: any, b: any) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
}

function negativeCounters(docs: any[]): string[] {
  const found: string[] = []
  const walk = (value: any, path: string) => {
    if (typeof value === 'number' && value < 0 && !path.endsWith('amountMinor')) found.push(path)
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`)
  }
  for (const [i, doc] of docs.entries()) walk(doc, String(i))
  return found
}

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-rollups')
  tenant = t.tenants.ava._id
  const catalogue = await t.catalogue(tenant, ['even', 'odd'])
  masterclasses = [catalogue.even, catalogue.odd]
})
afterAll(async () => {
  await t?.close()
})

describe('metrics rollups under at-least-once delivery', () => {
  it('duplicated, reordered and concurrent events, moves and owner changes leave the rollups equal to a rebuild', async () => {
    const leads = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => register(n, n < 3 ? 'ig' : 'tiktok')))
    const tracker = new LeadTracker({
      models: t.models(),
      events: t.app.get('events') as any,
      logger: silent
    })
    const handlers = leadEventHandlers(tracker, silent)
    const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString()
    const event = (name: string, id: string, payload: Record<string, unknown>, minutes: number) => ({
      name,
      id,
      payload,
      occurredAt: at(minutes),
      tenantId: tenant
    })
    const events = leads.flatMap((lead, n) => {
      const leadId = String(lead._id)
      return [
        event('invoice.issued', `inv-${n}`, { leadId, invoiceId: `inv-${n}` }, 1),
        event(
          'payment.succeeded',
          `pay-${n}`,
          { leadId, paymentId: `p-${n}`, amountMinor: 1000 * (n + 1), currency: 'EUR' },
          2
        ),
        ...(n % 2 === 0 ? [event('attendance.joined', `att-${n}`, { leadId }, 3)] : []),
        ...(n === 1
          ? [
              // Cumulative refunds arriving out of order: the larger one wins.
              event(
                'payment.refunded',
                'ref-1b',
                { leadId, paymentId: 'p-1', refundedMinor: 1500, currency: 'EUR', fullyRefunded: false },
                5
              ),
              event(
                'payment.refunded',
                'ref-1a',
                { leadId, paymentId: 'p-1', refundedMinor: 500, currency: 'EUR', fullyRefunded: false },
                4
              )
            ]
          : []),
        ...(n === 4
          ? [
              event(
                'appointment.booked',
                'apt-4',
                { leadId, appointmentId: 'a-4', salesRepId: t.users.avaRep._id },
                6
              )
            ]
          : [])
      ]
    })
    // Every event twice (a redelivery), the whole lot shuffled and run at once, with reps racing them.
    const deliveries = [...events, ...events].sort(() => Math.random() - 0.5)
    const token = await t.token('avaHost')
    const staff = (body: unknown, serviceMethod?: string, id = '') =>
      call(t.url, serviceMethod ? 'POST' : 'PATCH', `/pipeline/leads${id}`, body, {
        tenant: t.tenants.ava.slug,
        token,
        ...(serviceMethod && { serviceMethod })
      })
    const outcomes = await Promise.allSettled([
      ...deliveries.map((e) => t.asTenant(tenant, () => (handlers as any)[e.name](e))),
      staff({ leadId: String(leads[5]._id), to: 'LOST' }, 'move'),
      staff({ assignedToId: t.users.avaHost._id }, undefined, `/${leads[0]._id}`),
      staff({ assignedToId: t.users.avaRep._id }, undefined, `/${leads[0]._id}`),
      staff({ assignedToId: t.users.avaHost._id }, undefined, `/${leads[3]._id}`)
    ])
    // Handlers may lose a race and throw a conflict: the bus would redeliver; so do we, sequentially.
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected' && i < deliveries.length)
        await t.asTenant(tenant, () => (handlers as any)[deliveries[i].name](deliveries[i]))
    }
    const live = await rollupSnapshot()
    expect(negativeCounters(live)).toEqual([])
    await t.asTenant(tenant, () => rebuildRollups(t.models()))
    expect(await rollupSnapshot()).toEqual(live)

    // The figures themselves: 6 leads; everyone invoiced and paid except lead 5 (moved to LOST first or
    // after: it reached at least NEW); revenue 1000+…+6000 minus the 1500 refund.
    const from = new Date(Date.now() - 3600_000).toISOString()
    const to = new Date(Date.now() + 3600_000).toISOString()
    const metrics = await call(t.url, 'GET', `/pipeline/metrics?from=${from}&to=${to}`, undefined, {
      tenant: t.tenants.ava.slug,
      token
    })
    expect(metrics.status).toBe(200)
    expect(metrics.body.totals.reached.NEW).toBe(6)
    const history = await t.asTenant(tenant, () =>
      t
        .model('lead-history')
        .find({ from: mongoose.trusted({ $ne: null }) })
        .lean()
    )
    const exits = metrics.body.timeInStage.reduce((sum: number, s: any) => sum + s.count, 0)
    expect(exits).toBe(history.length)
    const revenue = await t.asTenant(tenant, () => t.model('revenue-entry').find({}).lean())
    expect(metrics.body.totals.revenueMinor.EUR).toBe(
      revenue.reduce((s: number, r: any) => s + r.amountMinor, 0)
    )
    expect(revenue.find((r: any) => r.key === 'refund:p-1').amountMinor).toBe(-1500)
    const statuses = await t.asTenant(tenant, () => t.model('lead').find({}, { status: 1 }).lean())
    const byStatus: Record<string, number> = {}
    for (const lead of statuses) byStatus[lead.status] = (byStatus[lead.status] ?? 0) + 1
    expect(Object.fromEntries(Object.entries(metrics.body.byStatus).filter(([, n]) => n))).toEqual(byStatus)
  })

  it('a lead synced many times at once, after a change the rollups missed, is counted once', async () => {
    const lead = await register(10, 'podcast')
    const before = await rollupSnapshot()
    // A status write whose rollup update was lost (a crash in between): the next syncs catch up, once.
    await t.asTenant(tenant, () =>
      t.model('lead').updateOne({ _id: lead._id }, { $set: { status: 'INVOICED', funnelRank: 1 } })
    )
    await Promise.all(
      Array.from({ length: 8 }, () => t.asTenant(tenant, () => syncLeadCount(t.models(), lead._id)))
    )
    const after = await rollupSnapshot()
    expect(after).not.toEqual(before)
    await t.asTenant(tenant, () => rebuildRollups(t.models()))
    expect(await rollupSnapshot()).toEqual(after)
  })
})
