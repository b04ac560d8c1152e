// Test fixture: a real MongoDB database (harness), Bull on a real Redis with a unique prefix, the event
// bus with fast retries, and workers; plus the test-only event names the tests emit.
import { randomUUID } from 'node:crypto'
import type { Connection } from 'mongoose'
import pino from 'pino'
import { connectDatabase } from '../../src/data/connect.ts'
import { DurableEventBus, type DurableEventBusOptions } from '../../src/events/durable-event-bus.ts'
import type { OutboxDocument } from '../../src/events/event-store.ts'
import { JobRegistry } from '../../src/jobs/job-registry.ts'
import { createQueueFactory, type QueueFactory } from '../../src/jobs/queue-factory.ts'
import { startJobWorkers, type Workers } from '../../src/jobs/workers.ts'
import { testDatabaseUri } from '../support/database.ts'

declare module '../../src/events/domain-events.ts' {
  interface DomainEvents {
    'note.created': { noteId: string; text: string }
    'note.archived': { noteId: string }
  }
}

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })

/**
 * `note.archived` outbox documents as a transaction leaves them for the relay (undispatched, lease free),
 * one millisecond apart in `ids` order.
 */
export function undispatchedEvents(ids: string[], from = new Date()): OutboxDocument[] {
  return ids.map((id, index) => ({
    _id: id,
    name: 'note.archived',
    tenantId: 't1',
    occurredAt: new Date(from.getTime() + index),
    payload: { noteId: id },
    dispatchedAt: null,
    leaseUntil: new Date(0)
  }))
}

export interface EventBusFixture {
  connection: Connection
  queues: QueueFactory
  registry: JobRegistry
  bus: DurableEventBus
  prefix: string
  startWorkers(): Promise<Workers>
  /** A real effect in MongoDB: increments `effects.<key>`. */
  effect(key: string): Promise<void>
  effectCount(key: string): Promise<number>
  close(): Promise<void>
}

export async function createEventBusFixture(
  name: string,
  options: {
    redisUrl?: string
    bus?: Partial<Omit<DurableEventBusOptions, 'connection' | 'queues' | 'logger'>>
    queueSettings?: Parameters<typeof createQueueFactory>[0]['settings']
    connection?: Connection
  } = {}
): Promise<EventBusFixture> {
  const connection = options.connection ?? (await connectDatabase(testDatabaseUri(name)))
  const prefix = `test-events-${randomUUID()}`
  const queues = createQueueFactory({
    redisUrl: options.redisUrl ?? 'redis://127.0.0.1:6379',
    prefix,
    logger: silentLogger,
    settings: { retryProcessDelay: 100, ...options.queueSettings }
  })
  const registry = new JobRegistry(queues)
  const bus = new DurableEventBus({
    connection,
    queues,
    logger: silentLogger,
    attempts: 3,
    backoffMs: 50,
    enqueueTimeoutMs: 500,
    ...options.bus
  })
  await bus.store.ensureIndexes()
  registry.define(bus.deliveryJob())
  const started: Workers[] = []
  const counters = connection.collection<{ _id: string; count: number }>('effects')
  return {
    connection,
    queues,
    registry,
    bus,
    prefix,
    async startWorkers() {
      const workers = await startJobWorkers(registry, queues, silentLogger)
      started.push(workers)
      return workers
    },
    async effect(key) {
      await counters.updateOne({ _id: key }, { $inc: { count: 1 } }, { upsert: true })
    },
    async effectCount(key) {
      return (await counters.findOne({ _id: key }))?.count ?? 0
    },
    async close() {
      for (const workers of started) await workers.stop()
      await queues.close()
      if (!options.connection) await connection.close()
    }
  }
}
