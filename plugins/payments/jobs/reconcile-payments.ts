// Reconciliation (per tenant, repeatable): replays stored events that were never processed, fetches
// the connected account's recent provider events (a missed webhook is stored and processed like any
// other), and asks the provider about checkouts that are still pending locally.
import { currentScope, trusted } from '@masterstage/core'
import { fulfil } from '../domain/payment-transitions.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { processWebhookEvent } from '../webhooks/process-webhook-event.ts'
import { store } from '../webhooks/receive-webhook.ts'
import { routeAccountEvents } from '../webhooks/route-unrouted-events.ts'

export interface ReconcileReport {
  replayed: number
  fetched: number
  /** Events stored `unrouted` (account not yet routed when they arrived) now processed for the tenant. */
  routed: number
  repairedSessions: number
}

const STALE_MS = 60_000
const MAX_ATTEMPTS = 10

export async function reconcilePayments(
  runtime: PaymentsRuntime,
  now = Date.now()
): Promise<ReconcileReport> {
  const tenantId = currentScope()?.tenantId
  if (!tenantId) throw new Error('reconciliation runs per tenant')
  const report: ReconcileReport = { replayed: 0, fetched: 0, routed: 0, repairedSessions: 0 }
  const logger = runtime.ctx.logger.child({ job: 'reconcile', tenantId })

  const accountId = await runtime.accountIdOf(tenantId)
  if (accountId) {
    // Before listing: events fetched below then route normally, and earlier unrouted ones are claimed.
    report.routed = (await routeAccountEvents(runtime, tenantId, accountId)).length
    const since = Math.floor(now / 1000) - runtime.platform.reconcileLookbackSeconds
    for (const event of await runtime.provider.listRecentEvents(accountId, since)) {
      const result = await store(
        runtime,
        { ...event, account: event.account ?? accountId },
        JSON.stringify(event),
        'reconciliation'
      )
      if (result.inserted) report.fetched += 1
    }
  }

  // Stored but unprocessed (crash before processing, Redis down at enqueue, or failed attempts).
  const stuck = await runtime.models.webhookEvents
    .find({
      tenantId,
      state: trusted({ $in: ['received', 'failed'] }),
      receivedAt: trusted({ $lt: new Date(now - STALE_MS) }),
      attempts: trusted({ $lt: MAX_ATTEMPTS })
    } as Record<string, unknown>)
    .select({ _id: 1 })
    .limit(500)
    .lean()
  for (const event of stuck) {
    await processWebhookEvent(runtime, event._id).catch((error) =>
      logger.warn(
        { eventId: event._id, err: { message: (error as Error).message } },
        'replay failed, will retry'
      )
    )
    report.replayed += 1
  }

  if (accountId) {
    const pending = (await runtime.models.payments
      .find({
        status: trusted({ $in: ['pending', 'processing'] }),
        checkoutSessionId: trusted({ $exists: true }),
        updatedAt: trusted({ $lt: new Date(now - STALE_MS) })
      } as Record<string, unknown>)
      .limit(200)
      .lean()) as Payment[]
    for (const payment of pending) {
      const session = await runtime.provider.retrieveCheckoutSession(accountId, payment.checkoutSessionId!)
      if (
        session.paymentStatus === 'paid' &&
        (await fulfil(runtime, payment, {
          paymentIntentId: session.paymentIntentId,
          amountMinor: session.amountTotalMinor,
          currency: session.currency || undefined
        })) === 'applied'
      ) {
        report.repairedSessions += 1
      }
    }
  }
  logger.info(report, 'reconciliation done')
  return report
}
