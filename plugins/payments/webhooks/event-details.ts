// What a provider event's object tells the processing: success details, the tenant its metadata names,
// ids that may come expanded. Shared by the per-event and the batched processing.

import type { FulfilDetails } from '../domain/payment-transitions.ts'
import { idOf } from '../domain/provider-ids.ts'

/** What a success event tells about the payment, or null when the event is not a success. */
export function successDetails(type: string, object: Record<string, any>): FulfilDetails | null {
  switch (type) {
    case 'checkout.session.completed':
      // Delayed methods complete the session unpaid; only async_payment_succeeded fulfils them.
      if (object.payment_status !== 'paid' && object.payment_status !== 'no_payment_required') return null
      return {
        paymentIntentId: idOf(object.payment_intent),
        amountMinor: object.amount_total ?? undefined,
        currency: currencyOf(object)
      }
    case 'checkout.session.async_payment_succeeded':
      return {
        paymentIntentId: idOf(object.payment_intent),
        amountMinor: object.amount_total ?? undefined,
        currency: currencyOf(object)
      }
    case 'payment_intent.succeeded':
      return {
        paymentIntentId: object.id,
        amountMinor: object.amount_received || object.amount || undefined,
        currency: currencyOf(object)
      }
    default:
      return null
  }
}

/** The currency the provider reports (compared with the invoice's); absent: the payment's own. */
function currencyOf(object: Record<string, any>): string | undefined {
  return typeof object.currency === 'string' ? object.currency : undefined
}

export function sameTenant(object: Record<string, any>, tenantId: string): boolean {
  const named = object.metadata?.tenantId
  return !named || named === tenantId
}

export { idOf }
