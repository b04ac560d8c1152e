// Processing of a freshly stored webhook event after the endpoint answered: in this process when it runs
// the workers (demo, single process; no queue round trips), bounded so a burst cannot pile up unbounded
// work; otherwise, or when saturated or failing, through the durable job. The event is stored before the
// 2xx, so a crash here loses nothing: the job's retries or the reconciliation sweep replay it.
import { runAsSystem } from '@masterstage/core'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { processWebhookEvent } from './process-webhook-event.ts'

export const PROCESS_WEBHOOK_JOB = 'process-webhook-event'

// Like the job's concurrency: more parallel transactions contend in the database (one bench run at load
// ~12: 33 events/s end to end with 8 in flight, 18 with 64).
const MAX_IN_FLIGHT = 8
const inFlight = new WeakMap<PaymentsRuntime, { count: number }>()

export async function processAfterAnswer(
  runtime: PaymentsRuntime,
  event: ProviderEvent,
  tenantId: string
): Promise<void> {
  const counter = inFlight.get(runtime) ?? { count: 0 }
  inFlight.set(runtime, counter)
  if (!runtime.ctx.config.runWorkersInProcess || counter.count >= MAX_IN_FLIGHT) {
    await enqueueProcessing(runtime, event.id, tenantId)
    return
  }
  counter.count++
  setImmediate(() => {
    runAsSystem('payments.webhook', tenantId, () =>
      processWebhookEvent(runtime, event.id, { event, tenantId })
    )
      .catch(() => enqueueProcessing(runtime, event.id, tenantId)) // retried with the job's backoff
      .finally(() => counter.count--)
  })
}

/** Queue failures are tolerated: the event is stored and the reconciliation sweep replays it. */
export async function enqueueProcessing(
  runtime: PaymentsRuntime,
  eventId: string,
  tenantId: string
): Promise<void> {
  try {
    await runtime.ctx.jobs.enqueue(
      PROCESS_WEBHOOK_JOB,
      { eventId },
      { jobId: `webhook:${eventId}`, tenantId }
    )
  } catch (error) {
    runtime.ctx.logger.warn(
      { eventId, err: { message: (error as Error).message } },
      'webhook stored, processing deferred to the sweep'
    )
  }
}
