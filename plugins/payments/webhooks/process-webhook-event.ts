// Processes one stored webhook event in its tenant's scope. Safe to run any number of times and in any
// order with other events: every effect goes through the monotonic payment rules (domain/payment-rules.ts).
import { currentScope, trusted } from '@masterstage/core'
import { applyRefundUpdate } from '../domain/refund-updates.ts'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { batchable, processWebhookBatch } from './process-webhook-batch.ts'

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
    // A payment event is a batch of one: the same rules, its effects and its `processed` mark committed
    // together.
    if (batchable(event)) {
      await processWebhookBatch(runtime, [{ id: eventId, event }])
      return
    }
    const outcome = await handleOtherEvent(runtime, event, tenantId)
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

/** Events that are not a payment's transition; returns what happened (kept on the stored event). */
async function handleOtherEvent(
  runtime: PaymentsRuntime,
  event: ProviderEvent,
  tenantId: string
): Promise<string> {
  const object = event.data.object
  if (event.type === 'account.updated') return updateAccount(runtime, object, event.created)
  // A Refund, not a Charge: the charge is re-read on the tenant's account (domain/refund-updates.ts).
  if (event.type === 'charge.refund.updated') return applyRefundUpdate(runtime, object, tenantId)
  return `unhandled type ${event.type}`
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
