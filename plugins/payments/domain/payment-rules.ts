// The payment state machine's decisions, pure: given a payment and its invoice as they are, what an event
// changes and which domain events it records. Payments only move forward, so duplicated, reordered or
// replayed events decide "unchanged" the second time. The per-event transitions (payment-transitions.ts)
// and the batched webhook processing (webhooks/process-webhook-batch.ts) both write these decisions, so
// each rule lives here once.
import type { PaymentStatus } from '../contract.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import { checkFulfilment, unappliedPaymentEvent, unappliedPaymentFields } from './fulfilment-check.ts'
import { type Changes, followedBy, noChanges, type Step, unchanged, withChanges } from './payment-step.ts'

/** States from which a success still applies (money moved even after a decline or an expiry notice). */
export const FULFILLABLE: readonly PaymentStatus[] = ['pending', 'processing', 'failed', 'expired']
export const SETTLED: readonly PaymentStatus[] = ['succeeded', 'partially_refunded', 'refunded']
/** Money moved but not applied to the invoice (domain/fulfilment-check.ts): refunds touch only the payment. */
export const UNAPPLIED: readonly PaymentStatus[] = ['duplicate', 'needs_review']

export interface FulfilDetails {
  paymentIntentId?: string | null
  amountMinor?: number
  /** The currency the provider reports (compared with the invoice's). */
  currency?: string
}

export interface RuleContext {
  /** The time the decision is made (succeededAt, paidAt). */
  at: Date
  receiptUrl(tenantId: string, invoiceId: string): string
}

export interface DisputeDetails {
  id: string
  status: string
  reason: string
  amountMinor: number
}

function step(
  payment: Partial<Changes<Payment>>,
  invoice: Partial<Changes<Invoice>> = {},
  emits: Step['emits'] = []
): Step {
  return {
    outcome: 'applied',
    payment: { ...noChanges<Payment>(), ...payment },
    invoice: { ...noChanges<Invoice>(), ...invoice },
    emits
  }
}

/** A delayed method completed the checkout unpaid: the intent is recorded, pending becomes processing. */
export function awaitPayment(payment: Payment, paymentIntentId: string | null): Step {
  const intent = paymentIntentId && !payment.paymentIntentId ? { paymentIntentId } : {}
  if (payment.status !== 'pending')
    return { ...unchanged(), payment: { ...noChanges<Payment>(), set: intent } }
  return step({ set: { ...intent, status: 'processing' } })
}

/** Decline or async failure: only before the payment settled; an expiry only while nothing happened. */
export function fail(
  payment: Payment,
  invoice: Invoice | undefined,
  reason: 'failed' | 'expired',
  detail: string
): Step {
  const from: PaymentStatus[] = reason === 'expired' ? ['pending'] : ['pending', 'processing']
  if (!from.includes(payment.status)) return unchanged()
  return step({ set: { status: reason, failureReason: detail } }, {}, [
    {
      name: 'payment.failed',
      id: `payment.failed:${payment._id}:${reason}`,
      payload: { paymentId: payment._id, invoiceId: payment.invoiceId, leadId: invoice?.leadId, reason }
    }
  ])
}

/**
 * The payment succeeded: it pays its invoice only while open and only with the invoice's amount and
 * currency (fulfilment-check.ts), then `payment.succeeded` is recorded. Otherwise the payment becomes
 * `duplicate` or `needs_review` and the invoice is left alone. A settled payment decides nothing.
 */
export function fulfil(
  payment: Payment,
  invoice: Invoice | undefined,
  details: FulfilDetails,
  context: RuleContext
): Step {
  if (!FULFILLABLE.includes(payment.status)) return unchanged()
  // A payment without its invoice is an error: the event is retried rather than half applied.
  if (!invoice) throw new Error(`invoice ${payment.invoiceId} of payment ${payment._id} not found`)
  const succeeded: Partial<Payment> = {
    status: 'succeeded',
    succeededAt: context.at,
    ...(details.paymentIntentId ? { paymentIntentId: details.paymentIntentId } : {}),
    ...(details.amountMinor !== undefined ? { amountMinor: details.amountMinor } : {})
  }
  const amountMinor = succeeded.amountMinor ?? payment.amountMinor
  const received = { amountMinor, currency: (details.currency ?? payment.currency).toLowerCase() }
  const check = checkFulfilment(invoice, payment._id, received)
  if (check.outcome !== 'apply') {
    const event = unappliedPaymentEvent(check, { ...payment, amountMinor }, invoice, received)
    return {
      ...step(
        {
          set: { ...succeeded, ...(unappliedPaymentFields(check) as Partial<Payment>) },
          unset: ['failureReason']
        },
        {},
        [event]
      ),
      unapplied: check.outcome
    }
  }
  return step(
    { set: succeeded, unset: ['failureReason'] },
    { set: { status: 'paid', paidAt: context.at, paymentId: payment._id, amountPaidMinor: amountMinor } },
    [
      {
        name: 'payment.succeeded',
        id: `payment.succeeded:${payment._id}`,
        payload: {
          paymentId: payment._id,
          invoiceId: invoice._id,
          invoiceNumber: invoice.number,
          leadId: invoice.leadId,
          customerEmail: invoice.customer.email,
          amountMinor,
          applicationFeeMinor: payment.applicationFeeMinor,
          currency: payment.currency,
          receiptUrl: context.receiptUrl(payment.tenantId, invoice._id)
        }
      }
    ]
  )
}

/**
 * The provider's cumulative refunded amount. A refund implies the charge succeeded, so one that overtakes
 * the success notice fulfils the payment first. A payment whose success was not applied (duplicate,
 * mismatch) only records the amount: no invoice change, no event.
 */
export function refund(
  payment: Payment,
  invoice: Invoice | undefined,
  refundedMinor: number,
  paymentIntentId: string | undefined,
  context: RuleContext
): Step {
  if (!SETTLED.includes(payment.status) && !UNAPPLIED.includes(payment.status)) {
    const first = fulfil(payment, invoice, { paymentIntentId }, context)
    const second = refund(
      withChanges(payment, first.payment),
      invoice && withChanges(invoice, first.invoice),
      refundedMinor,
      paymentIntentId,
      context
    )
    return followedBy(first, second)
  }
  if (!(payment.amountRefundedMinor < refundedMinor)) return unchanged()
  if (UNAPPLIED.includes(payment.status)) return step({ set: { amountRefundedMinor: refundedMinor } })
  const fully = refundedMinor >= payment.amountMinor
  const status: PaymentStatus = fully ? 'refunded' : 'partially_refunded'
  return step(
    { set: { amountRefundedMinor: refundedMinor, status } },
    invoice ? { set: { status, amountRefundedMinor: refundedMinor }, inc: { documentVersion: 1 } } : {},
    [
      {
        name: 'payment.refunded',
        id: `payment.refunded:${payment._id}:${refundedMinor}`,
        payload: {
          paymentId: payment._id,
          invoiceId: payment.invoiceId,
          leadId: invoice?.leadId,
          refundedMinor,
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          fullyRefunded: fully
        }
      }
    ]
  )
}

/**
 * The refunded amount went down (a refund failed or was canceled): the payment, and its invoice when the
 * payment paid it, go back accordingly. No event: the customer was never told about the failed refund.
 */
export function reverseRefund(payment: Payment, invoice: Invoice | undefined, refundedMinor: number): Step {
  if (!(payment.amountRefundedMinor > refundedMinor)) return unchanged()
  if (!SETTLED.includes(payment.status))
    return step({ set: { amountRefundedMinor: refundedMinor, status: payment.status } })
  const status: 'succeeded' | 'partially_refunded' | 'refunded' =
    refundedMinor <= 0
      ? 'succeeded'
      : refundedMinor >= payment.amountMinor
        ? 'refunded'
        : 'partially_refunded'
  return step(
    { set: { amountRefundedMinor: refundedMinor, status } },
    invoice?.paymentId === payment._id
      ? {
          set: { status: status === 'succeeded' ? 'paid' : status, amountRefundedMinor: refundedMinor },
          inc: { documentVersion: 1 }
        }
      : {}
  )
}

/** Flags a dispute on the payment and its invoice; each (dispute, status) is announced once. */
export function dispute(payment: Payment, invoice: Invoice | undefined, details: DisputeDetails): Step {
  const current = payment.dispute
  if (current?.id === details.id && current?.status === details.status) return unchanged()
  return step(
    { set: { dispute: { id: details.id, status: details.status, reason: details.reason } } },
    invoice ? { set: { disputed: true }, inc: { documentVersion: 1 } } : {},
    [
      {
        name: 'payment.disputed',
        id: `payment.disputed:${details.id}:${details.status}`,
        payload: {
          paymentId: payment._id,
          invoiceId: payment.invoiceId,
          leadId: invoice?.leadId,
          disputeId: details.id,
          disputeStatus: details.status,
          amountMinor: details.amountMinor,
          currency: payment.currency,
          reason: details.reason
        }
      }
    ]
  )
}
