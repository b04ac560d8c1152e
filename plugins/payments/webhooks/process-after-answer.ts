// Processing of a freshly stored webhook event after the endpoint answered: in this process when it runs
// the workers (demo, single process; no queue round trips), at most MAX_IN_FLIGHT at once with the rest
// waiting in a bounded in-memory line; otherwise, or when that line is full, or on failure, through the
// durable job. The event is stored before the 2xx, so a crash here loses nothing: what was waiting in
// memory is still `received` in the database and the job's retries or the reconciliation sweep replay it.
import { runAsSystem } from '@masterstage/core'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { processWebhookEvent } from './process-webhook-event.ts'

export const PROCESS_WEBHOOK_JOB = 'process-webhook-event'

// Like the job's concurrency: more parallel transactions contend in the database (one bench run at load
// ~12: 33 events/s end to end with 8 in flight, 18 with 64).
const MAX_IN_FLIGHT = 8
// Beyond this a burst goes to the durable queue instead of memory. Before the line existed, every event
// over the 8 in flight went through Redis and the job (re-reading the stored event): at load ~16, 472 of
// 536 bench events took that path.
const MAX_WAITING = 2_000

interface Pending {
  event: ProviderEvent
  tenantId: string
}

interface Line {
  running: number
  waiting: Pending[]
}

const lines = new WeakMap<PaymentsRuntime, Line>()

export async function processAfterAnswer(
  runtime: PaymentsRuntime,
  event: ProviderEvent,
  tenantId: string
): Promise<void> {
  let line = lines.get(runtime)
  if (!line) {
    line = { running: 0, waiting: [] }
    lines.set(runtime, line)
  }
  if (!runtime.ctx.config.runWorkersInProcess || line.waiting.length >= MAX_WAITING) {
    await enqueueProcessing(runtime, event.id, tenantId)
    return
  }
  line.waiting.push({ event, tenantId })
  drain(runtime, line)
}

function drain(runtime: PaymentsRuntime, line: Line): void {
  while (line.running < MAX_IN_FLIGHT && line.waiting.length > 0) {
    const { event, tenantId } = line.waiting.shift()!
    line.running++
    // After the answer: the endpoint's response is not held up by the processing that follows.
    setImmediate(() => {
      runAsSystem('payments.webhook', tenantId, () =>
        processWebhookEvent(runtime, event.id, { event, tenantId })
      )
        .catch(() => enqueueProcessing(runtime, event.id, tenantId)) // retried with the job's backoff
        .finally(() => {
          line.running--
          drain(runtime, line)
        })
    })
  }
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
