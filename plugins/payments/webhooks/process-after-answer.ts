// Processing of freshly stored webhook events after the endpoint answered: in this process when it runs
// the workers (demo, single process; no queue round trips), otherwise through the durable job, one job per
// group of a tenant's events stored in the same turn of the event loop (PROCESS_WEBHOOKS_JOB). Events wait
// in a bounded in-memory line; it is drained in batches of one tenant's events (up to MAX_BATCH, arrival
// order), at most MAX_IN_FLIGHT batches at once, each applied in one transaction
// (process-webhook-batch.ts). A batch that fails is retried event by event, so one poisoned event cannot
// hold the others back; an event that fails alone goes to the per-event durable job (with its backoff). The events
// are stored before the 2xx, so a crash here loses nothing: what was waiting in memory is still
// `received` in the database and the reconciliation sweep replays it.
import { currentScope, runAsSystem, TurnBatch, trusted } from '@masterstage/core'
import type { WebhookEvent } from '../models/webhook-event-model.ts'
import type { ProviderEvent } from '../providers/payment-provider.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { batchable, processWebhookBatch } from './process-webhook-batch.ts'
import { processWebhookEvent } from './process-webhook-event.ts'

export const PROCESS_WEBHOOK_JOB = 'process-webhook-event'
/** One job for up to MAX_BATCH stored events of one tenant, processed as one batch. */
export const PROCESS_WEBHOOKS_JOB = 'process-webhook-events'

// A batch waits on the database most of its time (two reads, a few bulk writes, one emitMany of its domain
// events, the commit), so more than one batch in flight keeps it busy. Since batches emit with one
// emitMany, fewer and larger transactions cost less: every write of a transaction is checked against the
// other open transactions' writes, and each commit has its own cost (3,000 events, embedded engine, load
// 4-5: 6 in flight × 50 used ~1,040 µs of server and ~835 µs of engine CPU per event, 2 × 100 ~890 and
// ~690, at the same throughput within the run-to-run noise).
const MAX_IN_FLIGHT = 2
// Events per transaction (and per grouped job): bounds the transaction's size and the work one failure
// sends back to the per-event path.
const MAX_BATCH = 100
// Beyond this a burst goes to the durable queue instead of memory.
const MAX_WAITING = 2_000
// Per-event processing of a failed batch, this many at once.
const FALLBACK_CONCURRENCY = 8

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
    // Not awaited: the event is stored, and a lost enqueue is replayed by the reconciliation sweep.
    enqueueGrouped(runtime, event.id, tenantId)
    return
  }
  line.waiting.push({ event, tenantId })
  drain(runtime, line)
}

function drain(runtime: PaymentsRuntime, line: Line): void {
  while (line.running < MAX_IN_FLIGHT && line.waiting.length > 0) {
    const batch = takeBatch(line)
    line.running++
    // After the answer: the endpoint's response is not held up by the processing that follows.
    setImmediate(() => {
      processBatch(runtime, batch.tenantId, batch.events).finally(() => {
        line.running--
        drain(runtime, line)
      })
    })
  }
}

/** The first waiting event's tenant and up to MAX_BATCH of its waiting events, in arrival order. */
function takeBatch(line: Line): { tenantId: string; events: ProviderEvent[] } {
  const tenantId = line.waiting[0].tenantId
  const events: ProviderEvent[] = []
  const rest: Pending[] = []
  for (const pending of line.waiting) {
    if (pending.tenantId === tenantId && events.length < MAX_BATCH) events.push(pending.event)
    else rest.push(pending)
  }
  line.waiting = rest
  return { tenantId, events }
}

/**
 * Processes one tenant's events, batched where possible; never throws. Answers the ids of events it could
 * neither apply nor hand to the per-event job (empty when all are taken care of).
 */
export async function processBatch(
  runtime: PaymentsRuntime,
  tenantId: string,
  events: ProviderEvent[]
): Promise<string[]> {
  const unhandled: string[] = []
  await runAsSystem('payments.webhook', tenantId, async () => {
    const unique = [...new Map(events.map((event) => [event.id, event])).values()]
    const batched = unique.filter(batchable)
    let single = unique.filter((event) => !batchable(event))
    if (batched.length > 1) {
      try {
        await processWebhookBatch(
          runtime,
          batched.map((event) => ({ id: event.id, event }))
        )
      } catch (error) {
        runtime.ctx.logger.warn(
          { tenantId, events: batched.length, err: { message: (error as Error).message } },
          'webhook batch failed, processing its events one by one'
        )
        single = [...batched, ...single]
      }
    } else single = [...batched, ...single]
    for (let index = 0; index < single.length; index += FALLBACK_CONCURRENCY) {
      await Promise.all(
        single.slice(index, index + FALLBACK_CONCURRENCY).map((event) =>
          processWebhookEvent(runtime, event.id, { event, tenantId }).catch(async () => {
            // Retried with the per-event job's backoff; if even that cannot be queued, the caller decides.
            if (!(await enqueueProcessing(runtime, event.id, tenantId))) unhandled.push(event.id)
          })
        )
      )
    }
  }).catch((error) => {
    runtime.ctx.logger.error(
      { tenantId, err: { message: (error as Error).message } },
      'webhook processing failed'
    )
    for (const event of events) if (!unhandled.includes(event.id)) unhandled.push(event.id)
  })
  return unhandled
}

// Per runtime (tests run several): the events stored in one turn of the event loop, by tenant.
const queued = new WeakMap<PaymentsRuntime, TurnBatch<string, string>>()

/** Gathers the events stored in this turn of the event loop, then one job per tenant and MAX_BATCH. */
function enqueueGrouped(runtime: PaymentsRuntime, eventId: string, tenantId: string): void {
  let batch = queued.get(runtime)
  if (!batch) {
    batch = new TurnBatch((tenant, ids) => enqueueGroups(runtime, tenant, ids))
    queued.set(runtime, batch)
  }
  batch.add(tenantId, eventId)
}

function enqueueGroups(runtime: PaymentsRuntime, tenantId: string, ids: string[]): void {
  for (let index = 0; index < ids.length; index += MAX_BATCH) {
    const eventIds = ids.slice(index, index + MAX_BATCH)
    // Each event is in one group only: its first event's id names the job.
    runtime.ctx.jobs
      .enqueue(PROCESS_WEBHOOKS_JOB, { eventIds }, { jobId: `webhooks:${eventIds[0]}`, tenantId })
      .catch((error) =>
        runtime.ctx.logger.warn(
          { events: eventIds.length, err: { message: (error as Error).message } },
          'webhooks stored, processing deferred to the sweep'
        )
      )
  }
}

/**
 * The grouped job (in its tenant's scope): the events of `eventIds` still to process, read in one query
 * and applied like fresh ones (one batch, the per-event fallback, a failing event to the per-event job).
 */
export async function processStoredEvents(runtime: PaymentsRuntime, eventIds: string[]): Promise<void> {
  const tenantId = currentScope()?.tenantId
  if (!tenantId) throw new Error('webhook events are processed in their tenant scope')
  const stored = (await runtime.models.webhookEvents
    .find({
      _id: trusted({ $in: eventIds }),
      tenantId,
      state: trusted({ $in: ['received', 'failed'] })
    } as Record<string, unknown>)
    .lean()) as WebhookEvent[]
  const byId = new Map(stored.map((event) => [event._id, event]))
  const events = eventIds.flatMap((id) => {
    const event = byId.get(id)
    return event ? [JSON.parse(event.payload) as ProviderEvent] : []
  })
  if (events.length === 0) return
  const unhandled = await processBatch(runtime, tenantId, events)
  // Failing the job retries the group with its backoff (it re-reads only events still unprocessed), rather
  // than leaving them to the reconciliation sweep minutes later.
  if (unhandled.length > 0)
    throw new Error(
      `${unhandled.length} of ${events.length} webhook events not processed; the job retries them`
    )
}

/**
 * Queue failures are tolerated: the event is stored and the reconciliation sweep replays it. Answers whether
 * the job was queued.
 */
export async function enqueueProcessing(
  runtime: PaymentsRuntime,
  eventId: string,
  tenantId: string,
  jobId = `webhook:${eventId}`
): Promise<boolean> {
  try {
    await runtime.ctx.jobs.enqueue(PROCESS_WEBHOOK_JOB, { eventId }, { jobId, tenantId })
    return true
  } catch (error) {
    runtime.ctx.logger.warn(
      { eventId, err: { message: (error as Error).message } },
      'webhook stored, processing deferred to the sweep'
    )
    return false
  }
}
