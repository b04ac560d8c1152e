// Creates and caches Bull queues for one process: one prefix, shared Redis connections, default
// retention, and a close() that drains active jobs before disconnecting.
import Bull from 'bull'
import type { Logger } from 'pino'
import { EnqueueBatch } from './enqueue-batch.ts'
import { DEFAULT_QUEUE_SETTINGS, defaultJobOptions } from './job-options.ts'
import { createRedisConnections } from './redis-connections.ts'

export interface QueueFactoryOptions {
  redisUrl: string
  /** Every queue key starts with it (`config.queuePrefix`); tests isolate by a unique prefix. */
  prefix: string
  logger: Logger
  settings?: Partial<Bull.AdvancedSettings>
}

export interface QueueFactory {
  readonly prefix: string
  /** The queue with this name, created on first use. */
  queue(name: string): Bull.Queue
  /** Existing queues (for workers, inspection and shutdown). */
  queues(): readonly Bull.Queue[]
  /** False while Redis is unreachable: callers record work durably and let the relay enqueue it later. */
  isRedisReady(): boolean
  /** Like isRedisReady, but at startup waits up to `timeoutMs` for the first connection. */
  waitRedisReady(timeoutMs: number): Promise<boolean>
  /** Waits for active jobs of this process to finish, then disconnects. Idempotent. */
  close(): Promise<void>
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError'
}

export function createQueueFactory(options: QueueFactoryOptions): QueueFactory {
  const connections = createRedisConnections(options.redisUrl, options.logger)
  const byName = new Map<string, Bull.Queue>()
  let closing: Promise<void> | undefined
  const settings = { ...DEFAULT_QUEUE_SETTINGS, ...options.settings }
  return {
    prefix: options.prefix,
    queue(name) {
      if (closing) throw new Error(`Queue factory is closed; cannot open queue ${name}`)
      let queue = byName.get(name)
      // A queue closed by stopped workers cannot process or add again: open a fresh one.
      if (queue && (queue as unknown as { closing?: Promise<void> }).closing) queue = undefined
      if (!queue) {
        queue = new Bull(name, {
          prefix: options.prefix,
          createClient: (type) => connections.createClient(type),
          defaultJobOptions: defaultJobOptions(),
          settings
        })
        queue.on('error', (error) =>
          options.logger.warn({ queue: name, err: { message: error.message } }, 'queue error')
        )
        observeWorkerNaming(queue)
        byName.set(name, queue)
      }
      return queue
    },
    queues: () => [...byName.values()],
    isRedisReady: () => connections.isReady(),
    waitRedisReady: (timeoutMs) => connections.waitReady(timeoutMs),
    close() {
      closing ??= (async () => {
        // Bull's close pauses this process's workers and waits for their active jobs when Redis is up;
        // when it is down there is nothing to wait for, so do not hang shutdown on it.
        const redisUp = connections.isReady()
        await Promise.all([...byName.values()].map((queue) => queue.close(!redisUp).catch(() => undefined)))
        await connections.close()
      })()
      return closing
    }
  }
}

/**
 * Bull names a worker's blocking connection (CLIENT SETNAME, metadata only) from `process()` without
 * awaiting it; when that connection is closed first (a shutdown right after start, Redis down) the
 * rejection is unhandled and would end the process. Observe it here.
 */
function observeWorkerNaming(queue: Bull.Queue): void {
  const named = queue as unknown as { setWorkerName(): Promise<void> }
  const setWorkerName = named.setWorkerName.bind(queue)
  named.setWorkerName = () => setWorkerName().catch(() => undefined)
}

/** One batch per factory (its queues share one command connection); fakes of the interface get theirs too. */
const batches = new WeakMap<QueueFactory, EnqueueBatch>()

function batchOf(factory: QueueFactory): EnqueueBatch {
  let batch = batches.get(factory)
  if (!batch) {
    batch = new EnqueueBatch((queue) => new RedisUnavailableError(`Enqueue on ${queue.name} timed out`))
    batches.set(factory, batch)
  }
  return batch
}

/**
 * Adds a job, failing fast (instead of queueing in memory) when Redis is unreachable. Jobs added in the
 * same turn of the event loop go to Redis together (enqueue-batch.ts); each keeps its id and options.
 */
export async function addJobNow(
  factory: QueueFactory,
  queueName: string,
  data: unknown,
  options: Bull.JobOptions,
  timeoutMs = 3000
): Promise<Bull.Job> {
  // Connected (every call after startup): no wait to set up.
  if (!factory.isRedisReady() && !(await factory.waitRedisReady(timeoutMs)))
    throw new RedisUnavailableError('Redis is not reachable')
  const queue = factory.queue(queueName)
  // A repeatable job is a schedule, not a job: Bull's add handles it (addBulk would not).
  if (options.repeat) return addWithTimeout(queue, data, options, timeoutMs)
  return batchOf(factory).add(queue, data, options, timeoutMs)
}

async function addWithTimeout(
  queue: Bull.Queue,
  data: unknown,
  options: Bull.JobOptions,
  timeoutMs: number
): Promise<Bull.Job> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisUnavailableError(`Enqueue on ${queue.name} timed out`)),
      timeoutMs
    )
  })
  try {
    return await Promise.race([queue.add(data, options), timeout])
  } finally {
    clearTimeout(timer)
  }
}
