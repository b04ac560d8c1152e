// Events of a connected account that had no tenant route when they arrived are stored `unrouted`; once
// the account is routed (connection, reconciliation) they are claimed and processed exactly once.
import type { PaymentsRuntime } from '../runtime.ts'
import { forgetRoute } from './account-route-cache.ts'
import { enqueueProcessing } from './process-after-answer.ts'

const BATCH = 500

/**
 * Writes the account's route if missing, then moves its unrouted events to the tenant. Each event is
 * claimed by a conditional update (`state: 'unrouted'` → `received`), so concurrent callers (a
 * reconciliation pass and a connection) enqueue it once; processing itself is idempotent by event id.
 * Returns the ids this call claimed.
 */
export async function routeAccountEvents(
  runtime: PaymentsRuntime,
  tenantId: string,
  accountId: string
): Promise<string[]> {
  const { routes, webhookEvents } = runtime.models
  const accountHash = runtime.accountHash(accountId)
  await routes.updateOne(
    { _id: accountHash },
    { $setOnInsert: { tenantId, provider: runtime.provider.name, createdAt: new Date() } },
    { upsert: true }
  )
  forgetRoute(runtime, accountHash)
  const route = await routes.findById(accountHash).lean()
  // An account routed to another tenant keeps its events there: never re-point money by guess.
  if (route?.tenantId !== tenantId) {
    runtime.ctx.logger.error({ tenantId, accountHash }, 'connected account is routed to another tenant')
    return []
  }
  const waiting = await webhookEvents
    .find({ state: 'unrouted', accountHash, provider: runtime.provider.name })
    .select({ _id: 1 })
    .sort({ receivedAt: 1 })
    .limit(BATCH)
    .lean()
  const claimed: string[] = []
  for (const { _id } of waiting) {
    const result = await webhookEvents.updateOne(
      { _id, state: 'unrouted' },
      { $set: { state: 'received', tenantId, reason: 'routed after the account was connected' } }
    )
    if (result.modifiedCount === 1) claimed.push(_id)
  }
  for (const eventId of claimed) await enqueueProcessing(runtime, eventId, tenantId)
  if (claimed.length > 0)
    runtime.ctx.logger.info(
      { tenantId, accountHash, events: claimed.length },
      'unrouted webhook events routed'
    )
  return claimed
}
