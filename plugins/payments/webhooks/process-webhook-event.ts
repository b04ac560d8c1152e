// Processes one stored webhook event in its tenant's scope. Safe to run any number of times and in any
// order with other events: every effect goes through the monotonic transitions of the payment.
import { currentScope, trusted } from '@masterstage/core'
import {
  applyDispute,
  applyRefund,
  fulfil,
  fulfilById,
  markFailed,
  markProcessing
} from '../domain/payment-transitions.ts'
import { applyRefundUpdate } from '../domain/refund-updates.ts'
import type { Payment } from '../models/payment-model.ts'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { idOf, sameTenant, successDetails } from './event-details.ts'

/**
 * `fresh`: the event as just stored by the endpoint in this process (state `received`, its tenant), which
 * spares re-reading it; a replay or a job reads the stored copy.
 */
export async function processWebhookEvent(
  runtime: PaymentsRuntime,
  eventId: string,
  fresh?: { event: ProviderEvent; tenantId: string }
): Promise<void> {
  const { webhookEvents } = runtime.models
  const stored = fresh
    ? { type: fresh.event.type, tenantId: fresh.tenantId, state: 'received' as const, event: fresh.event }
    : await webhookEvents.findById(eventId).lean()
  if (!stored || stored.state === 'processed' || stored.state === 'ignored' || stored.state === 'unrouted')
    return
  const tenantId = currentScope()?.tenantId
  if (!tenantId || stored.tenantId !== tenantId) {
    throw new Error(`webhook event ${eventId} belongs to another tenant than the job's scope`)
  }
  const logger = runtime.ctx.logger.child({ eventId, type: stored.type, tenantId })
  try {
    const event = 'event' in stored ? stored.event : (JSON.parse(stored.payload) as ProviderEvent)
    const outcome = await handleEvent(runtime, event, tenantId)
    await webhookEvents.updateOne(
      { _id: eventId },
      { $set: { state: 'processed', processedAt: new Date(), reason: outcome }, $inc: { attempts: 1 } }
    )
    logger.info({ outcome }, 'webhook event processed')
  } catch (error) {
    await webhookEvents.updateOne(
      { _id: eventId },
      { $set: { state: 'failed', reason: (error as Error).message }, $inc: { attempts: 1 } }
    )
    logger.error({ err: { message: (error as Error).message } }, 'webhook event processing failed')
    throw error
  }
}

/** Returns a short description of what happened (kept on the stored event for support). */
export async function handleEvent(
  runtime: PaymentsRuntime,
  event: ProviderEvent,
  tenantId: string
): Promise<string> {
  const object = event.data.object
  if (event.type === 'account.updated') return updateAccount(runtime, object, event.created)
  // A Refund, not a Charge: the charge is re-read on the tenant's account (domain/refund-updates.ts).
  if (event.type === 'charge.refund.updated') return applyRefundUpdate(runtime, object, tenantId)
  const success = successDetails(event.type, object)
  // The common case (our payment id in the metadata, first delivery) in one conditional update; a
  // duplicate, a foreign metadata tenant or a payment found by provider ids takes the full path below.
  if (success && typeof object.metadata?.paymentId === 'string' && sameTenant(object, tenantId)) {
    if (await fulfilById(runtime, object.metadata.paymentId, success)) return 'applied'
  }
  const payment = await findPayment(runtime, object, tenantId)
  if (!payment) return 'no matching payment'
  switch (event.type) {
    case 'checkout.session.completed':
      if (success) return fulfil(runtime, payment, success)
      await recordIntent(runtime, payment, object.payment_intent)
      return `awaiting payment: ${await markProcessing(runtime, payment._id)}`
    case 'checkout.session.async_payment_succeeded':
      return fulfil(runtime, payment, success!)
    case 'checkout.session.async_payment_failed':
      return markFailed(runtime, payment, 'failed', 'async payment failed')
    case 'checkout.session.expired':
      return markFailed(runtime, payment, 'expired', 'checkout expired')
    case 'payment_intent.succeeded':
      return fulfil(runtime, payment, success!)
    case 'payment_intent.payment_failed':
      return markFailed(runtime, payment, 'failed', object.last_payment_error?.message ?? 'payment failed')
    case 'charge.refunded':
      return applyRefund(
        runtime,
        payment,
        Number(object.amount_refunded ?? 0),
        idOf(object.payment_intent) ?? undefined
      )
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
      return applyDispute(runtime, payment, {
        id: object.id,
        status: object.status,
        reason: object.reason ?? 'unknown',
        amountMinor: Number(object.amount ?? payment.amountMinor)
      })
    default:
      return `unhandled type ${event.type}`
  }
}

/** By our metadata first, then by the provider ids we stored; always inside the tenant's scope. */
async function findPayment(
  runtime: PaymentsRuntime,
  object: Record<string, any>,
  tenantId: string
): Promise<Payment | null> {
  const { payments } = runtime.models
  const metadata = object.metadata ?? {}
  if (!sameTenant(object, tenantId)) {
    runtime.ctx.logger.warn({ tenantId }, 'webhook object names another tenant in its metadata: ignored')
    return null
  }
  if (typeof metadata.paymentId === 'string') {
    const byMetadata = await payments.findById(metadata.paymentId).lean()
    if (byMetadata) return byMetadata as Payment
  }
  if (object.object === 'checkout.session' && typeof object.id === 'string') {
    const bySession = await payments.findOne({ checkoutSessionId: object.id }).lean()
    if (bySession) return bySession as Payment
  }
  const intentId = object.object === 'payment_intent' ? object.id : idOf(object.payment_intent)
  if (intentId) return (await payments.findOne({ paymentIntentId: intentId }).lean()) as Payment | null
  return null
}

async function recordIntent(runtime: PaymentsRuntime, payment: Payment, intent: unknown): Promise<void> {
  const id = idOf(intent)
  if (id && !payment.paymentIntentId)
    await runtime.models.payments.updateOne({ _id: payment._id }, { $set: { paymentIntentId: id } })
}

/** Only a newer snapshot replaces the stored status: an older account.updated arriving late is skipped. */
async function updateAccount(
  runtime: PaymentsRuntime,
  account: Record<string, any>,
  created: number
): Promise<string> {
  const snapshotAt = new Date((Number(created) || 0) * 1000)
  const updated = await runtime.models.accounts.updateOne(
    { provider: runtime.provider.name, statusUpdatedAt: trusted({ $lte: snapshotAt }) },
    {
      $set: {
        chargesEnabled: Boolean(account.charges_enabled),
        payoutsEnabled: Boolean(account.payouts_enabled),
        detailsSubmitted: Boolean(account.details_submitted),
        requirementsDue: [...(account.requirements?.currently_due ?? [])],
        statusUpdatedAt: snapshotAt
      }
    }
  )
  return updated.matchedCount === 1
    ? 'account status updated'
    : 'older snapshot or no connected account record'
}
