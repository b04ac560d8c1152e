// Which payment rule (domain/payment-rules.ts) a provider event of a payment asks for, pure. The one
// mapping from webhook event types to transitions, for batches of any size (process-webhook-batch.ts).

import * as rules from '../domain/payment-rules.ts'
import type { Step } from '../domain/payment-step.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import { idOf, successDetails } from './event-details.ts'

/** Types decided here; any other goes through process-webhook-event.ts's own handling. */
export const PAYMENT_EVENT_TYPES: ReadonlySet<string> = new Set([
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

/** The step and the outcome kept on the stored event for support. */
export function eventStep(
  event: ProviderEvent,
  payment: Payment,
  invoice: Invoice | undefined,
  context: rules.RuleContext
): { step: Step; outcome: string } {
  const object = event.data.object as Record<string, any>
  const success = successDetails(event.type, object)
  const plain = (step: Step) => ({ step, outcome: step.outcome as string })
  switch (event.type) {
    case 'checkout.session.completed': {
      if (success) return plain(rules.fulfil(payment, invoice, success, context))
      const step = rules.awaitPayment(payment, idOf(object.payment_intent))
      return { step, outcome: `awaiting payment: ${step.outcome}` }
    }
    case 'checkout.session.async_payment_succeeded':
    case 'payment_intent.succeeded':
      return plain(rules.fulfil(payment, invoice, success!, context))
    case 'checkout.session.async_payment_failed':
      return plain(rules.fail(payment, invoice, 'failed', 'async payment failed'))
    case 'checkout.session.expired':
      return plain(rules.fail(payment, invoice, 'expired', 'checkout expired'))
    case 'payment_intent.payment_failed':
      return plain(
        rules.fail(payment, invoice, 'failed', object.last_payment_error?.message ?? 'payment failed')
      )
    case 'charge.refunded':
      return plain(
        rules.refund(
          payment,
          invoice,
          Number(object.amount_refunded ?? 0),
          idOf(object.payment_intent) ?? undefined,
          context
        )
      )
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
      return plain(
        rules.dispute(payment, invoice, {
          id: object.id,
          status: object.status,
          reason: object.reason ?? 'unknown',
          amountMinor: Number(object.amount ?? payment.amountMinor)
        })
      )
    default:
      throw new Error(`no payment rule for ${event.type}`)
  }
}
