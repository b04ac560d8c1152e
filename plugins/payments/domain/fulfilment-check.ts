// Whether a successful payment may pay its invoice: only an open invoice, only with the invoice's amount
// and currency. Pure, so the per-event transitions and the batched webhook processing decide alike.
import type { Invoice } from '../models/invoice-model.ts'

export interface ReceivedMoney {
  amountMinor: number
  currency: string
}

export type FulfilmentCheck =
  | { outcome: 'apply' }
  /** The invoice is no longer open (another payment paid it, or it was voided/refunded). */
  | { outcome: 'duplicate'; keptPaymentId?: string }
  | {
      outcome: 'needs_review'
      review: {
        expectedMinor: number
        expectedCurrency: string
        receivedMinor: number
        receivedCurrency: string
      }
    }

export function checkFulfilment(
  invoice: Pick<Invoice, 'status' | 'paymentId' | 'totalMinor' | 'currency'>,
  paymentId: string,
  received: ReceivedMoney
): FulfilmentCheck {
  if (invoice.status !== 'open' || (invoice.paymentId && invoice.paymentId !== paymentId)) {
    return { outcome: 'duplicate', ...(invoice.paymentId ? { keptPaymentId: invoice.paymentId } : {}) }
  }
  if (
    received.amountMinor !== invoice.totalMinor ||
    received.currency.toLowerCase() !== invoice.currency.toLowerCase()
  ) {
    return {
      outcome: 'needs_review',
      review: {
        expectedMinor: invoice.totalMinor,
        expectedCurrency: invoice.currency.toLowerCase(),
        receivedMinor: received.amountMinor,
        receivedCurrency: received.currency.toLowerCase()
      }
    }
  }
  return { outcome: 'apply' }
}

/** The fields a payment gets when its success is not applied to the invoice. */
export function unappliedPaymentFields(
  check: Exclude<FulfilmentCheck, { outcome: 'apply' }>
): Record<string, unknown> {
  return check.outcome === 'duplicate'
    ? { status: 'duplicate', ...(check.keptPaymentId ? { duplicateOf: check.keptPaymentId } : {}) }
    : { status: 'needs_review', review: check.review }
}

/** The domain event announcing an unapplied success (refund and staff alert follow from it). */
export function unappliedPaymentEvent(
  check: Exclude<FulfilmentCheck, { outcome: 'apply' }>,
  payment: { _id: string; amountMinor: number; currency: string },
  invoice: Pick<Invoice, '_id' | 'number'>,
  received: ReceivedMoney
) {
  if (check.outcome === 'duplicate') {
    return {
      name: 'payment.duplicate' as const,
      id: `payment.duplicate:${payment._id}`,
      payload: {
        paymentId: payment._id,
        invoiceId: invoice._id,
        invoiceNumber: invoice.number,
        ...(check.keptPaymentId ? { keptPaymentId: check.keptPaymentId } : {}),
        amountMinor: received.amountMinor,
        currency: received.currency.toLowerCase()
      }
    }
  }
  return {
    name: 'payment.mismatched' as const,
    id: `payment.mismatched:${payment._id}`,
    payload: {
      paymentId: payment._id,
      invoiceId: invoice._id,
      invoiceNumber: invoice.number,
      ...check.review
    }
  }
}
