// Processes stored webhook events of one tenant in one transaction: one read of the payments and one of
// the invoices they touch, the events decided in order by the payment rules (domain/payment-rules.ts,
// through event-step.ts) on in-memory copies of those documents, then one bulkWrite per collection, the
// domain events (outbox: one emitMany) and one bulkWrite marking the events processed, committed together.
// A batch that fails is rolled back whole; the caller then processes its events one by one, each a batch
// of one (process-webhook-event.ts).

import { currentScope, trusted } from '@masterstage/core'
import type { ClientSession } from 'mongoose'
import type { RuleContext } from '../domain/payment-rules.ts'
import {
  type Changes,
  combine,
  isEmpty,
  noChanges,
  type PaymentEmit,
  updateOf,
  withChanges
} from '../domain/payment-step.ts'
import { ruleContext, warnUnapplied } from '../domain/payment-transitions.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { idOf, sameTenant } from './event-details.ts'
import { eventStep, PAYMENT_EVENT_TYPES } from './event-step.ts'

/**
 * Types the batch applies; any other goes through the per-event handling: account.updated, and
 * charge.refund.updated (it re-reads the charge from the provider, which a transaction must not wait on).
 */
export function batchable(event: ProviderEvent): boolean {
  return PAYMENT_EVENT_TYPES.has(event.type)
}

/** A document as read, the copy the batch's events change, and what changed (written once at the end). */
interface Tracked<T> {
  read: T
  now: T
  changes: Changes<T>
}

function track<T>(read: T): Tracked<T> {
  return { read, now: read, changes: noChanges() }
}

function change<T>(doc: Tracked<T>, changes: Changes<T>): void {
  if (isEmpty(changes)) return
  doc.now = withChanges(doc.now, changes)
  doc.changes = combine(doc.changes, changes)
}

class BatchState {
  readonly payments: Tracked<Payment>[]
  readonly invoices = new Map<string, Tracked<Invoice>>()
  readonly emits: PaymentEmit[] = []
  readonly runtime: PaymentsRuntime
  readonly context: RuleContext

  constructor(runtime: PaymentsRuntime, payments: Payment[], invoices: Invoice[]) {
    this.runtime = runtime
    this.context = ruleContext(runtime)
    this.payments = payments.map(track)
    for (const invoice of invoices) this.invoices.set(invoice._id, track(invoice))
  }

  /** By our metadata first, then the stored session id, then the stored intent id. */
  locate(object: Record<string, any>, tenantId: string): Tracked<Payment> | null {
    if (!sameTenant(object, tenantId)) {
      this.runtime.ctx.logger.warn(
        { tenantId },
        'webhook object names another tenant in its metadata: ignored'
      )
      return null
    }
    const paymentId = object.metadata?.paymentId
    if (typeof paymentId === 'string') {
      const found = this.payments.find((payment) => payment.now._id === paymentId)
      if (found) return found
    }
    if (object.object === 'checkout.session' && typeof object.id === 'string') {
      const found = this.payments.find((payment) => payment.now.checkoutSessionId === object.id)
      if (found) return found
    }
    const intentId = object.object === 'payment_intent' ? object.id : idOf(object.payment_intent)
    if (!intentId) return null
    return this.payments.find((payment) => payment.now.paymentIntentId === intentId) ?? null
  }

  /** Decides the event by the payment rules on the in-memory copies and keeps what it changes. */
  apply(event: ProviderEvent, tenantId: string): string {
    const payment = this.locate(event.data.object as Record<string, any>, tenantId)
    if (!payment) return 'no matching payment'
    const invoice = this.invoices.get(payment.now.invoiceId)
    const { step, outcome } = eventStep(event, payment.now, invoice?.now, this.context)
    change(payment, step.payment)
    if (invoice) change(invoice, step.invoice)
    this.emits.push(...step.emits)
    if (step.unapplied) warnUnapplied(this.runtime, payment.now, step.unapplied)
    return outcome
  }
}

/** The payment lookup keys every event of the batch may be found by (our id, session, intent). */
function lookupFilter(events: ProviderEvent[], tenantId: string): Record<string, unknown> | null {
  const ids = new Set<string>()
  const sessions = new Set<string>()
  const intents = new Set<string>()
  for (const event of events) {
    const object = event.data.object as Record<string, any>
    if (!sameTenant(object, tenantId)) continue
    if (typeof object.metadata?.paymentId === 'string') ids.add(object.metadata.paymentId)
    if (object.object === 'checkout.session' && typeof object.id === 'string') sessions.add(object.id)
    const intentId = object.object === 'payment_intent' ? object.id : idOf(object.payment_intent)
    if (typeof intentId === 'string') intents.add(intentId)
  }
  const or: Record<string, unknown>[] = []
  if (ids.size > 0) or.push({ _id: trusted({ $in: [...ids] }) })
  if (sessions.size > 0) or.push({ checkoutSessionId: trusted({ $in: [...sessions] }) })
  if (intents.size > 0) or.push({ paymentIntentId: trusted({ $in: [...intents] }) })
  if (or.length === 0) return null
  return or.length === 1 ? or[0] : { $or: or }
}

export interface BatchEvent {
  id: string
  event: ProviderEvent
}

/**
 * Applies `events` (all of the current scope's tenant, all batchable, in arrival order) in one
 * transaction and marks them processed. Throws when the batch could not be committed: nothing of it
 * is then applied, and the caller processes the events one by one.
 */
export async function processWebhookBatch(runtime: PaymentsRuntime, events: BatchEvent[]): Promise<void> {
  const tenantId = currentScope()?.tenantId
  if (!tenantId) throw new Error('a webhook batch runs in its tenant scope')
  const outcomes = await runtime.connection.transaction((session) =>
    applyBatch(runtime, tenantId, events, session)
  )
  runtime.ctx.logger.info(
    { tenantId, events: events.length, applied: outcomes.get('applied')?.length ?? 0 },
    'webhook events processed in a batch'
  )
}

async function applyBatch(
  runtime: PaymentsRuntime,
  tenantId: string,
  events: BatchEvent[],
  session: ClientSession
): Promise<Map<string, string[]>> {
  const { payments, invoices, webhookEvents } = runtime.models
  const filter = lookupFilter(
    events.map((item) => item.event),
    tenantId
  )
  const paymentsRead = filter ? ((await payments.find(filter).session(session).lean()) as Payment[]) : []
  const invoiceIds = [...new Set(paymentsRead.map((payment) => payment.invoiceId))]
  const invoicesRead =
    invoiceIds.length > 0
      ? ((await invoices
          .find({ _id: trusted({ $in: invoiceIds }) })
          .session(session)
          .lean()) as Invoice[])
      : []
  const state = new BatchState(runtime, paymentsRead, invoicesRead)
  const outcomes = new Map<string, string[]>()
  const seen = new Set<string>()
  for (const { id, event } of events) {
    // The same event twice (a replay racing the line): applied once, like a redelivery.
    if (seen.has(id)) continue
    seen.add(id)
    const outcome = state.apply(event, tenantId)
    outcomes.set(outcome, [...(outcomes.get(outcome) ?? []), id])
  }

  // Each payment once, on the state it was read in: the transaction's snapshot already guarantees it,
  // the filter makes a lost race fail loudly instead of writing over it.
  const paymentWrites = state.payments
    .filter((payment) => !isEmpty(payment.changes))
    .map((payment) => ({
      updateOne: {
        filter: {
          _id: payment.read._id,
          status: payment.read.status,
          amountRefundedMinor: payment.read.amountRefundedMinor
        },
        update: updateOf(payment.changes)
      }
    }))
  if (paymentWrites.length > 0) {
    const result = await payments.bulkWrite(paymentWrites, { session, ordered: true })
    if (result.matchedCount !== paymentWrites.length)
      throw new Error('payments changed while the webhook batch applied its events')
  }
  const invoiceWrites = [...state.invoices.values()]
    .filter((invoice) => !isEmpty(invoice.changes))
    .map((invoice) => ({
      updateOne: { filter: { _id: invoice.read._id }, update: updateOf(invoice.changes) }
    }))
  if (invoiceWrites.length > 0) await invoices.bulkWrite(invoiceWrites, { session, ordered: true })
  // One read and one insert for all of the batch's domain events (an id already stored is not emitted again).
  if (state.emits.length > 0) await runtime.ctx.events.emitMany(state.emits, { tenantId, session })
  await webhookEvents.bulkWrite(
    [...outcomes].map(([reason, ids]) => ({
      updateMany: {
        filter: { _id: { $in: ids } },
        update: {
          $set: { state: 'processed' as const, processedAt: state.context.at, reason },
          $inc: { attempts: 1 }
        }
      }
    })),
    { session, ordered: true }
  )
  return outcomes
}
