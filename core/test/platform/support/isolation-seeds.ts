// How the full-platform isolation test seeds each real plugin's tenant-scoped service: one entry per
// service with an external `find`; a service missing here (and not excused) fails the test by name.
import { randomBytes } from 'node:crypto'
import type { Application } from '../../../src/app/declarations.ts'
import { runAsSystem } from '../../../src/context/request-scope.ts'

export interface SeedContext {
  app: Application
  tenantId: string
  /** Unique text the seeded document carries, so a leak shows up anywhere in an answer. */
  marker: string
  /** A staff user of the tenant (e.g. a masterclass host). */
  staffUserId: string
}

export interface DocumentSeed {
  kind: 'documents'
  /** Creates one document in the tenant (inside its scope) and returns its id. */
  seed(ctx: SeedContext): Promise<string>
  /** A valid body for external patch/update, so a 404 is about the id and not the body. */
  patch?: Record<string, unknown>
  update?: Record<string, unknown>
  /** Custom methods addressing a document by id in their data: body for a given id. */
  customById?: Record<string, (id: string) => Record<string, unknown>>
}

/** A derived view (totals, exports, per-user lists): A's answer must not move when B's data does. */
export interface ViewSeed {
  kind: 'view'
  why: string
}

export type IsolationSeed = DocumentSeed | ViewSeed

function inTenant<T>(ctx: SeedContext, fn: () => Promise<T>): Promise<T> {
  return runAsSystem('isolation-seed', ctx.tenantId, fn)
}

function service(ctx: SeedContext, path: string): any {
  return (ctx.app as any).service(path)
}

function model(ctx: SeedContext, name: string): any {
  const found = ctx.app.get('mongoose').models[name]
  if (!found) throw new Error(`model ${name} is not registered (plugin changed?)`)
  return found
}

const hour = 3600_000

export const ISOLATION_SEEDS: Record<string, IsolationSeed> = {
  'masterclasses/masterclasses': {
    kind: 'documents',
    seed: (ctx) =>
      inTenant(ctx, async () => {
        const start = Date.now() + 48 * hour
        const created = await service(ctx, 'masterclasses/masterclasses').create({
          title: `class ${ctx.marker}`,
          description: `about ${ctx.marker}`,
          hostId: ctx.staffUserId,
          startTime: new Date(start).toISOString(),
          endTime: new Date(start + hour).toISOString(),
          price: { amount: 10, currency: 'USD' },
          maxAttendees: 20
        })
        return String(created._id)
      }),
    patch: { title: 'hijacked' }
  },
  'pipeline/leads': {
    kind: 'documents',
    seed: (ctx) =>
      inTenant(ctx, async () => {
        // Straight into the model: the registration path also queues a follow-up job (no queues here).
        const now = new Date()
        const lead = await model(ctx, 'pipeline.lead').create({
          email: `${ctx.marker}@lead.test`,
          name: `Lead ${ctx.marker}`,
          masterclassId: `mc-${ctx.marker}`,
          masterclassIds: [`mc-${ctx.marker}`],
          source: {},
          status: 'NEW',
          funnelRank: 0,
          stageEnteredAt: now,
          consentAt: now,
          lastRegisteredAt: now,
          registrations: 1
        })
        if (!lead) throw new Error('registration wrote no lead')
        return String(lead._id)
      }),
    patch: { tags: ['hijacked'] },
    customById: { move: (leadId) => ({ leadId, to: 'LOST' }) }
  },
  'payments/invoices': {
    kind: 'documents',
    seed: (ctx) =>
      inTenant(ctx, async () => {
        const invoice = await service(ctx, 'payments/invoices').create({
          customer: { name: `Buyer ${ctx.marker}`, email: `${ctx.marker}@buyer.test` },
          lineItems: [{ description: `seat ${ctx.marker}`, quantity: 1, unitAmountMinor: 4900 }],
          idempotencyKey: ctx.marker
        })
        return String(invoice._id)
      }),
    customById: { resend: (invoiceId) => ({ invoiceId }) }
  },
  'payments/payments': {
    kind: 'documents',
    seed: (ctx) =>
      inTenant(ctx, async () => {
        const id = `pay_${ctx.marker}`
        await model(ctx, 'payments.payment').create({
          _id: id,
          invoiceId: `inv_${ctx.marker}`,
          attempt: 1,
          idempotencyKey: `idem_${ctx.marker}`,
          provider: 'sandbox',
          status: 'succeeded',
          amountMinor: 4900,
          applicationFeeMinor: 245,
          currency: 'usd',
          succeededAt: new Date()
        })
        return id
      })
  },
  'payments/webhook-events': {
    kind: 'documents',
    seed: (ctx) =>
      inTenant(ctx, async () => {
        const id = `evt_${ctx.marker}`
        // A failed event: the state the dashboard lists and a replay moves back to received.
        await model(ctx, 'payments.webhook-event').create({
          _id: id,
          type: `payment_intent.${ctx.marker}`,
          // Stored before routing decides the tenant, so the model's tenantId is explicit (null when unrouted).
          tenantId: ctx.tenantId,
          provider: 'sandbox',
          livemode: false,
          created: Math.floor(Date.now() / 1000),
          payload: JSON.stringify({ id, note: ctx.marker }),
          state: 'failed',
          reason: `failed ${ctx.marker}`,
          attempts: 10,
          receivedAt: new Date(),
          source: 'webhook'
        })
        return id
      })
  },
  'payments/revenue': { kind: 'view', why: 'totals over invoices and payments' },
  'payments/connect': { kind: 'view', why: "the tenant's connected payout account status" },
  'payments/my-documents': { kind: 'view', why: "the caller's own invoices and receipts" },
  'pipeline/metrics': { kind: 'view', why: 'funnel counts over leads' },
  'pipeline/board': { kind: 'view', why: 'board columns and counts over leads' },
  'pipeline/export': { kind: 'view', why: 'CSV export of leads' },
  site: { kind: 'view', why: "the tenant's public site profile (core web-api)" }
}

/** Tenant-scoped services deliberately not covered here, each with the reason. */
export const ISOLATION_EXEMPT: Record<string, string> = {}

export function newMarker(side: string): string {
  return `iso${side}${randomBytes(5).toString('hex')}`
}
