// Processes several stored webhook events of one tenant in one transaction: one read of the payments and
// one of the invoices they touch, the events applied in order to those documents in memory by the same
// monotonic rules as domain/payment-transitions.ts, then one bulkWrite per collection, the domain events
// (outbox: one emitMany) and one bulkWrite marking the events processed, committed together. A batch that
// fails is rolled back whole; the caller then processes its events one by one (process-webhook-event.ts).

import { currentScope, trusted } from '@masterstage/core'
import type { ClientSession } from 'mongoose'
import type { PaymentStatus } from '../contract.ts'
import { checkFulfilment, unappliedPaymentEvent, unappliedPaymentFields } from '../domain/fulfilment-check.ts'
import type { FulfilDetails } from '../domain/payment-transitions.ts'
import { FULFILLABLE, SETTLED, UNAPPLIED } from '../domain/payment-transitions.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { idOf, sameTenant, successDetails } from './event-details.ts'

/**
 * Types the batch applies in memory; any other goes through the per-event path: account.updated, and
 * charge.refund.updated (it re-reads the charge from the provider, which a transaction must not wait on).
 */
const BATCHED_TYPES = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed'
])

export function batchable(event: ProviderEvent): boolean {
  return BATCHED_TYPES.has(event.type)
}

interface Emit {
  name:
    | 'payment.succeeded'
    | 'payment.failed'
    | 'payment.refunded'
    | 'payment.disputed'
    | 'payment.duplicate'
    | 'payment.mismatched'
  payload: any
  id: string
}

/** A document as read, the copy events change, and what changed (written once at the end). */
interface Tracked<T> {
  read: T
  now: T
  set: Record<string, unknown>
  unset: Record<string, 1>
  inc: Record<string, number>
}

function track<T>(read: T): Tracked<T> {
  return { read, now: { ...read }, set: {}, unset: {}, inc: {} }
}

function change<T>(doc: Tracked<T>, fields: Partial<T>): void {
  Object.assign(doc.now as object, fields)
  for (const [key, value] of Object.entries(fields)) {
    doc.set[key] = value
    delete doc.unset[key]
  }
}

function remove<T>(doc: Tracked<T>, field: keyof T & string): void {
  delete (doc.now as any)[field]
  delete doc.set[field]
  if ((doc.read as any)[field] !== undefined) doc.unset[field] = 1
}

function increment<T>(doc: Tracked<T>, field: keyof T & string): void {
  ;(doc.now as any)[field] = ((doc.now as any)[field] ?? 0) + 1
  doc.inc[field] = (doc.inc[field] ?? 0) + 1
}

function touched(doc: Tracked<unknown>): boolean {
  return (
    Object.keys(doc.set).length > 0 || Object.keys(doc.unset).length > 0 || Object.keys(doc.inc).length > 0
  )
}

class BatchState {
  readonly payments: Tracked<Payment>[]
  readonly invoices = new Map<string, Tracked<Invoice>>()
  readonly emits: Emit[] = []
  readonly runtime: PaymentsRuntime
  readonly at = new Date()

  constructor(runtime: PaymentsRuntime, payments: Payment[], invoices: Invoice[]) {
    this.runtime = runtime
    this.payments = payments.map(track)
    for (const invoice of invoices) this.invoices.set(invoice._id, track(invoice))
  }

  /** findPayment's order: our metadata, then the stored session id, then the stored intent id. */
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

  invoiceOf(payment: Tracked<Payment>): Tracked<Invoice> | undefined {
    return this.invoices.get(payment.now.invoiceId)
  }

  apply(event: ProviderEvent, tenantId: string): string {
    const object = event.data.object as Record<string, any>
    const payment = this.locate(object, tenantId)
    if (!payment) return 'no matching payment'
    const success = successDetails(event.type, object)
    switch (event.type) {
      case 'checkout.session.completed': {
        if (success) return this.fulfil(payment, success)
        const intentId = idOf(object.payment_intent)
        if (intentId && !payment.now.paymentIntentId) change(payment, { paymentIntentId: intentId })
        if (payment.now.status !== 'pending') return 'awaiting payment: unchanged'
        change(payment, { status: 'processing' })
        return 'awaiting payment: applied'
      }
      case 'checkout.session.async_payment_succeeded':
      case 'payment_intent.succeeded':
        return this.fulfil(payment, success!)
      case 'checkout.session.async_payment_failed':
        return this.fail(payment, 'failed', 'async payment failed')
      case 'checkout.session.expired':
        return this.fail(payment, 'expired', 'checkout expired')
      case 'payment_intent.payment_failed':
        return this.fail(payment, 'failed', object.last_payment_error?.message ?? 'payment failed')
      case 'charge.refunded':
        return this.refund(
          payment,
          Number(object.amount_refunded ?? 0),
          idOf(object.payment_intent) ?? undefined
        )
      default:
        return this.dispute(payment, {
          id: object.id,
          status: object.status,
          reason: object.reason ?? 'unknown',
          amountMinor: Number(object.amount ?? payment.now.amountMinor)
        })
    }
  }

  fulfil(payment: Tracked<Payment>, details: FulfilDetails): string {
    if (!FULFILLABLE.includes(payment.now.status)) return 'unchanged'
    const invoice = this.invoiceOf(payment)
    // As fulfilById: a payment without its invoice is an error (the batch falls back, the event retries).
    if (!invoice) throw new Error(`invoice ${payment.now.invoiceId} of payment ${payment.now._id} not found`)
    change(payment, {
      status: 'succeeded',
      succeededAt: this.at,
      ...(details.paymentIntentId ? { paymentIntentId: details.paymentIntentId } : {}),
      ...(details.amountMinor !== undefined ? { amountMinor: details.amountMinor } : {})
    })
    remove(payment, 'failureReason')
    const { _id, tenantId, amountMinor, applicationFeeMinor, currency } = payment.now
    // As fulfilById: only an open invoice, only with its own amount and currency (fulfilment-check.ts).
    const received = { amountMinor, currency: (details.currency ?? currency).toLowerCase() }
    const check = checkFulfilment(invoice.now, _id, received)
    if (check.outcome !== 'apply') {
      change(payment, unappliedPaymentFields(check) as Partial<Payment>)
      const event = unappliedPaymentEvent(check, payment.now, invoice.now, received)
      this.emits.push({ name: event.name, id: event.id, payload: event.payload })
      this.runtime.ctx.logger.warn(
        { tenantId, paymentId: _id, invoiceId: invoice.now._id, outcome: check.outcome },
        'payment succeeded but not applied to its invoice'
      )
      return 'applied'
    }
    change(invoice, { status: 'paid', paidAt: this.at, paymentId: _id, amountPaidMinor: amountMinor })
    this.emits.push({
      name: 'payment.succeeded',
      id: `payment.succeeded:${_id}`,
      payload: {
        paymentId: _id,
        invoiceId: invoice.now._id,
        invoiceNumber: invoice.now.number,
        leadId: invoice.now.leadId,
        customerEmail: invoice.now.customer.email,
        amountMinor,
        applicationFeeMinor,
        currency,
        receiptUrl: this.runtime.links.documentUrl(tenantId, invoice.now._id, 'receipt')
      }
    })
    return 'applied'
  }

  fail(payment: Tracked<Payment>, reason: 'failed' | 'expired', detail: string): string {
    const from: PaymentStatus[] = reason === 'expired' ? ['pending'] : ['pending', 'processing']
    if (!from.includes(payment.now.status)) return 'unchanged'
    change(payment, { status: reason, failureReason: detail })
    const { _id, invoiceId } = payment.now
    this.emits.push({
      name: 'payment.failed',
      id: `payment.failed:${_id}:${reason}`,
      payload: { paymentId: _id, invoiceId, leadId: this.invoiceOf(payment)?.now.leadId, reason }
    })
    return 'applied'
  }

  refund(payment: Tracked<Payment>, refundedMinor: number, paymentIntentId?: string): string {
    // A refund implies the charge succeeded: one that overtakes the success notice fulfils first.
    if (!SETTLED.includes(payment.now.status) && !UNAPPLIED.includes(payment.now.status))
      this.fulfil(payment, { paymentIntentId })
    // Judged a duplicate or a mismatch: the payment records the refund; no invoice change, no event.
    if (UNAPPLIED.includes(payment.now.status)) {
      if (!(payment.now.amountRefundedMinor < refundedMinor)) return 'unchanged'
      change(payment, { amountRefundedMinor: refundedMinor })
      return 'applied'
    }
    const { _id, invoiceId, amountMinor, amountRefundedMinor, currency } = payment.now
    if (!(amountRefundedMinor < refundedMinor) || !SETTLED.includes(payment.now.status)) return 'unchanged'
    const fully = refundedMinor >= amountMinor
    const status: PaymentStatus = fully ? 'refunded' : 'partially_refunded'
    change(payment, { amountRefundedMinor: refundedMinor, status })
    const invoice = this.invoiceOf(payment)
    if (invoice) {
      change(invoice, { status, amountRefundedMinor: refundedMinor })
      increment(invoice, 'documentVersion')
    }
    this.emits.push({
      name: 'payment.refunded',
      id: `payment.refunded:${_id}:${refundedMinor}`,
      payload: {
        paymentId: _id,
        invoiceId,
        leadId: invoice?.now.leadId,
        refundedMinor,
        amountMinor,
        currency,
        fullyRefunded: fully
      }
    })
    return 'applied'
  }

  dispute(
    payment: Tracked<Payment>,
    dispute: { id: string; status: string; reason: string; amountMinor: number }
  ): string {
    const current = payment.now.dispute
    if (current?.id === dispute.id && current?.status === dispute.status) return 'unchanged'
    change(payment, { dispute: { id: dispute.id, status: dispute.status, reason: dispute.reason } })
    const invoice = this.invoiceOf(payment)
    if (invoice) {
      change(invoice, { disputed: true })
      increment(invoice, 'documentVersion')
    }
    const { _id, invoiceId, currency } = payment.now
    this.emits.push({
      name: 'payment.disputed',
      id: `payment.disputed:${dispute.id}:${dispute.status}`,
      payload: {
        paymentId: _id,
        invoiceId,
        leadId: invoice?.now.leadId,
        disputeId: dispute.id,
        disputeStatus: dispute.status,
        amountMinor: dispute.amountMinor,
        currency,
        reason: dispute.reason
      }
    })
    return 'applied'
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
  const paymentWrites = state.payments.filter(touched).map((payment) => ({
    updateOne: {
      filter: {
        _id: payment.read._id,
        status: payment.read.status,
        amountRefundedMinor: payment.read.amountRefundedMinor
      },
      update: updateOf(payment)
    }
  }))
  if (paymentWrites.length > 0) {
    const result = await payments.bulkWrite(paymentWrites, { session, ordered: true })
    if (result.matchedCount !== paymentWrites.length)
      throw new Error('payments changed while the webhook batch applied its events')
  }
  const invoiceWrites = [...state.invoices.values()].filter(touched).map((invoice) => ({
    updateOne: { filter: { _id: invoice.read._id }, update: updateOf(invoice) }
  }))
  if (invoiceWrites.length > 0) await invoices.bulkWrite(invoiceWrites, { session, ordered: true })
  // One read and one insert for all of the batch's domain events (an id already stored is not emitted again).
  if (state.emits.length > 0) await runtime.ctx.events.emitMany(state.emits, { tenantId, session })
  await webhookEvents.bulkWrite(
    [...outcomes].map(([reason, ids]) => ({
      updateMany: {
        filter: { _id: { $in: ids } },
        update: {
          $set: { state: 'processed' as const, processedAt: state.at, reason },
          $inc: { attempts: 1 }
        }
      }
    })),
    { session, ordered: true }
  )
  return outcomes
}

function updateOf(doc: Tracked<unknown>): Record<string, unknown> {
  return {
    ...(Object.keys(doc.set).length > 0 ? { $set: doc.set } : {}),
    ...(Object.keys(doc.unset).length > 0 ? { $unset: doc.unset } : {}),
    ...(Object.keys(doc.inc).length > 0 ? { $inc: doc.inc } : {})
  }
}
