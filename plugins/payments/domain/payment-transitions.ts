// The payment state machine. Every transition is one conditional update that only moves a payment
// forward, done in a transaction with the event it emits, so duplicated, reordered or replayed
// webhooks produce each effect exactly once and never move a payment backwards.
import { trusted } from '@masterstage/core'
import type { ClientSession } from 'mongoose'
import type { PaymentStatus } from '../contract.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { checkFulfilment, unappliedPaymentEvent, unappliedPaymentFields } from './fulfilment-check.ts'

/** States from which a success still applies (money moved even after a decline or an expiry notice). */
export const FULFILLABLE: readonly PaymentStatus[] = ['pending', 'processing', 'failed', 'expired']
export const SETTLED: readonly PaymentStatus[] = ['succeeded', 'partially_refunded', 'refunded']
/** Money moved but not applied to the invoice (domain/fulfilment-check.ts): refunds touch only the payment. */
export const UNAPPLIED: readonly PaymentStatus[] = ['duplicate', 'needs_review']

export type TransitionResult = 'applied' | 'unchanged'

export async function markProcessing(runtime: PaymentsRuntime, paymentId: string): Promise<TransitionResult> {
  const updated = await runtime.models.payments.updateOne(
    { _id: paymentId, status: 'pending' },
    { $set: { status: 'processing' } }
  )
  return updated.modifiedCount === 1 ? 'applied' : 'unchanged'
}

/** Decline or async failure: only before the payment settled. */
export async function markFailed(
  runtime: PaymentsRuntime,
  payment: Payment,
  reason: 'failed' | 'expired',
  detail: string
): Promise<TransitionResult> {
  const from: PaymentStatus[] = reason === 'expired' ? ['pending'] : ['pending', 'processing']
  return inTransaction(runtime, async (session) => {
    const updated = await runtime.models.payments.updateOne(
      { _id: payment._id, status: trusted({ $in: from }) },
      { $set: { status: reason, failureReason: detail } },
      { session }
    )
    if (updated.modifiedCount !== 1) return 'unchanged'
    const invoice = await invoiceOf(runtime, payment, session)
    await runtime.ctx.events.emit(
      'payment.failed',
      { paymentId: payment._id, invoiceId: payment.invoiceId, leadId: invoice?.leadId, reason },
      { id: `payment.failed:${payment._id}:${reason}`, tenantId: payment.tenantId, session }
    )
    return 'applied'
  })
}

/** The payment succeeded: payment and invoice become paid and `payment.succeeded` is recorded, once. */
export async function fulfil(
  runtime: PaymentsRuntime,
  payment: Payment,
  details: FulfilDetails
): Promise<TransitionResult> {
  // A settled payment (a redelivered success) has nothing left to apply: no second conditional update.
  if (!FULFILLABLE.includes(payment.status)) return 'unchanged'
  return (await fulfilById(runtime, payment._id, details)) ? 'applied' : 'unchanged'
}

export interface FulfilDetails {
  paymentIntentId?: string | null
  amountMinor?: number
  /** The currency the provider reports (compared with the invoice's). */
  currency?: string
}

/**
 * `fulfil` without reading the payment first: the conditional update returns the payment it moved, so
 * the webhook hot path needs no separate read. Null when nothing moved (no such payment in this tenant,
 * or already settled); the caller tells those apart only when it has to.
 *
 * The invoice is paid only while open and only with its own amount and currency (one conditional
 * update on the hot path). Otherwise the payment becomes `duplicate` (the invoice was already paid:
 * refunded automatically by a subscriber) or `needs_review` (amount or currency differ: staff alerted);
 * the invoice, its paymentId and `payment.succeeded` (receipt, lead PAID, revenue) are left alone.
 */
export async function fulfilById(
  runtime: PaymentsRuntime,
  paymentId: string,
  details: FulfilDetails
): Promise<Payment | null> {
  return inTransaction(runtime, async (session) => {
    const now = new Date()
    const payment = (await runtime.models.payments
      .findOneAndUpdate(
        { _id: paymentId, status: trusted({ $in: FULFILLABLE }) },
        {
          $set: {
            status: 'succeeded',
            succeededAt: now,
            ...(details.paymentIntentId ? { paymentIntentId: details.paymentIntentId } : {}),
            ...(details.amountMinor !== undefined ? { amountMinor: details.amountMinor } : {})
          },
          $unset: { failureReason: 1 }
        },
        { returnDocument: 'after', session }
      )
      .lean()) as Payment | null
    if (!payment) return null
    // `after`: the amount now stored, which is the provider's when it reported one.
    const amountMinor = payment.amountMinor
    const received = { amountMinor, currency: (details.currency ?? payment.currency).toLowerCase() }
    const paid = {
      $set: { status: 'paid', paidAt: now, paymentId: payment._id, amountPaidMinor: amountMinor }
    }
    let invoice = (await runtime.models.invoices
      .findOneAndUpdate(
        { _id: payment.invoiceId, status: 'open', totalMinor: amountMinor, currency: received.currency },
        paid,
        { returnDocument: 'after', session }
      )
      .lean()) as Invoice | null
    if (!invoice) {
      const current = await invoiceOf(runtime, payment, session)
      if (!current) throw new Error(`invoice ${payment.invoiceId} of payment ${payment._id} not found`)
      const check = checkFulfilment(current, payment._id, received)
      if (check.outcome !== 'apply') {
        await runtime.models.payments.updateOne(
          { _id: payment._id },
          { $set: unappliedPaymentFields(check) },
          { session }
        )
        const event = unappliedPaymentEvent(check, payment, current, received)
        await runtime.ctx.events.emit(event.name, event.payload as any, {
          id: event.id,
          tenantId: payment.tenantId,
          session
        })
        runtime.ctx.logger.warn(
          {
            tenantId: payment.tenantId,
            paymentId: payment._id,
            invoiceId: current._id,
            outcome: check.outcome
          },
          'payment succeeded but not applied to its invoice'
        )
        return { ...payment, ...(unappliedPaymentFields(check) as Partial<Payment>) }
      }
      // Open, right amount, currency spelled differently: pay it, still only while open.
      invoice = (await runtime.models.invoices
        .findOneAndUpdate({ _id: payment.invoiceId, status: 'open' }, paid, {
          returnDocument: 'after',
          session
        })
        .lean()) as Invoice | null
      if (!invoice)
        throw new Error(`invoice ${payment.invoiceId} changed while payment ${payment._id} applied`)
    }
    await runtime.ctx.events.emit(
      'payment.succeeded',
      {
        paymentId: payment._id,
        invoiceId: invoice._id,
        invoiceNumber: invoice.number,
        leadId: invoice.leadId,
        customerEmail: invoice.customer.email,
        amountMinor,
        applicationFeeMinor: payment.applicationFeeMinor,
        currency: payment.currency,
        receiptUrl: runtime.links.documentUrl(payment.tenantId, invoice._id, 'receipt')
      },
      { id: `payment.succeeded:${payment._id}`, tenantId: payment.tenantId, session }
    )
    return payment
  })
}

/**
 * Records the cumulative refunded amount reported by the provider. A refund implies the charge
 * succeeded, so a refund that overtakes the success notice fulfils the payment first.
 */
export async function applyRefund(
  runtime: PaymentsRuntime,
  payment: Payment,
  refundedMinor: number,
  paymentIntentId?: string
): Promise<TransitionResult> {
  if (!SETTLED.includes(payment.status) && !UNAPPLIED.includes(payment.status)) {
    await fulfil(runtime, payment, { paymentIntentId })
    // The success may have been judged a duplicate or a mismatch: refund that payment only.
    payment =
      ((await runtime.models.payments.findOne({ _id: payment._id }).lean()) as Payment | null) ?? payment
  }
  if (UNAPPLIED.includes(payment.status)) return recordUnappliedRefund(runtime, payment, refundedMinor)
  return inTransaction(runtime, async (session) => {
    const fully = refundedMinor >= payment.amountMinor
    const status: PaymentStatus = fully ? 'refunded' : 'partially_refunded'
    const updated = await runtime.models.payments.updateOne(
      {
        _id: payment._id,
        amountRefundedMinor: trusted({ $lt: refundedMinor }),
        status: trusted({ $in: SETTLED })
      },
      { $set: { amountRefundedMinor: refundedMinor, status } },
      { session }
    )
    if (updated.modifiedCount !== 1) return 'unchanged'
    const invoice = await runtime.models.invoices
      .findOneAndUpdate(
        { _id: payment.invoiceId },
        { $set: { status, amountRefundedMinor: refundedMinor }, $inc: { documentVersion: 1 } },
        { returnDocument: 'after', session }
      )
      .lean()
    await runtime.ctx.events.emit(
      'payment.refunded',
      {
        paymentId: payment._id,
        invoiceId: payment.invoiceId,
        leadId: invoice?.leadId,
        refundedMinor,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        fullyRefunded: fully
      },
      { id: `payment.refunded:${payment._id}:${refundedMinor}`, tenantId: payment.tenantId, session }
    )
    return 'applied'
  })
}

/** A refund of money never applied to the invoice: the payment records it; no invoice change, no event. */
async function recordUnappliedRefund(
  runtime: PaymentsRuntime,
  payment: Payment,
  refundedMinor: number
): Promise<TransitionResult> {
  const updated = await runtime.models.payments.updateOne(
    {
      _id: payment._id,
      status: trusted({ $in: UNAPPLIED }),
      amountRefundedMinor: trusted({ $lt: refundedMinor })
    },
    { $set: { amountRefundedMinor: refundedMinor } }
  )
  return updated.modifiedCount === 1 ? 'applied' : 'unchanged'
}

/** Flags a dispute on the payment and invoice; each (dispute, status) is announced once. */
export async function applyDispute(
  runtime: PaymentsRuntime,
  payment: Payment,
  dispute: { id: string; status: string; reason: string; amountMinor: number }
): Promise<TransitionResult> {
  return inTransaction(runtime, async (session) => {
    const updated = await runtime.models.payments.updateOne(
      {
        _id: payment._id,
        $or: [
          { 'dispute.id': trusted({ $ne: dispute.id }) },
          { 'dispute.status': trusted({ $ne: dispute.status }) }
        ]
      },
      { $set: { dispute: { id: dispute.id, status: dispute.status, reason: dispute.reason } } },
      { session }
    )
    if (updated.modifiedCount !== 1) return 'unchanged'
    const invoice = await runtime.models.invoices
      .findOneAndUpdate(
        { _id: payment.invoiceId },
        { $set: { disputed: true }, $inc: { documentVersion: 1 } },
        { returnDocument: 'after', session }
      )
      .lean()
    await runtime.ctx.events.emit(
      'payment.disputed',
      {
        paymentId: payment._id,
        invoiceId: payment.invoiceId,
        leadId: invoice?.leadId,
        disputeId: dispute.id,
        disputeStatus: dispute.status,
        amountMinor: dispute.amountMinor,
        currency: payment.currency,
        reason: dispute.reason
      },
      { id: `payment.disputed:${dispute.id}:${dispute.status}`, tenantId: payment.tenantId, session }
    )
    return 'applied'
  })
}

async function invoiceOf(
  runtime: PaymentsRuntime,
  payment: Payment,
  session: ClientSession
): Promise<Invoice | null> {
  return runtime.models.invoices.findOne({ _id: payment.invoiceId }).session(session).lean()
}

function inTransaction<T>(
  runtime: PaymentsRuntime,
  work: (session: ClientSession) => Promise<T>
): Promise<T> {
  return runtime.connection.transaction(work)
}
