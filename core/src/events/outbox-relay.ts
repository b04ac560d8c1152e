// Enqueues events whose dispatch did not happen at emit time (Redis was down, the emitter crashed, or
// the event was written inside a transaction). Leases make several relays safe to run side by side.
import type { Logger } from 'pino'
import type { QueueFactory } from '../jobs/queue-factory.ts'
import type { DurableEventBus } from './durable-event-bus.ts'

export interface OutboxRelayOptions {
  bus: DurableEventBus
  queues: QueueFactory
  logger: Logger
  /** How often to look for undispatched events. */
  pollMs?: number
  /** Events read per pass, at most; a full pass is followed by the next one at once. */
  batchSize?: number
  leaseMs?: number
}

export interface OutboxRelay {
  /** One pass; returns how many events were dispatched. */
  runOnce(): Promise<number>
  stop(): Promise<void>
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const pollMs = options.pollMs ?? 1000
  const batchSize = options.batchSize ?? 100
  const leaseMs = options.leaseMs ?? 30_000
  const logger = options.logger.child({ component: 'outbox-relay' })
  let stopped = false
  let running: Promise<number> | undefined
  let timer: NodeJS.Timeout | undefined
  // The last pass found a full batch waiting: the next one starts at once instead of after pollMs, so a
  // burst (a webhook batch's events, written in its transaction) is dispatched as fast as Redis takes it.
  let full = false

  async function pass(): Promise<number> {
    // While Redis is unreachable there is nothing to do; leasing events would only delay other relays.
    full = false
    if (!options.queues.isRedisReady()) return 0
    // One read of the waiting ids and one leasing write per pass (another relay, or the emitter, may
    // hold some of them: those are left out), then the leased events' deliveries enqueued at once, a job
    // per handler and group of events (enqueueDeliveriesMany), reaching Redis as one addBulk
    // (enqueue-batch.ts) instead of a round trip per event.
    const waiting = await options.bus.store.undispatchedIds(batchSize)
    const leased = stopped ? [] : await options.bus.store.leaseUndispatchedMany(waiting, leaseMs)
    const results = await options.bus.enqueueDeliveriesMany(leased)
    // Redis refused an event: its lease was released and it waits for the next poll.
    const enqueued = leased.filter((_, index) => results[index]).map((event) => event._id)
    const refused = enqueued.length < leased.length
    // Marked dispatched together (one write instead of one per event).
    await options.bus.store.markDispatchedMany(enqueued)
    if (enqueued.length > 0) logger.info({ dispatched: enqueued.length }, 'outbox relay dispatched events')
    full = waiting.length === batchSize && !stopped && !refused
    return enqueued.length
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => {
      running = undefined
    })
    return running
  }

  const schedule = () => {
    if (stopped) return
    timer = setTimeout(
      async () => {
        try {
          await runOnce()
        } catch (error) {
          logger.warn({ err: { message: (error as Error).message } }, 'outbox relay pass failed')
        }
        schedule()
      },
      full ? 0 : pollMs
    )
  }
  schedule()

  return {
    runOnce,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running?.catch(() => undefined)
    }
  }
}
