// Cross-process cache invalidation over Redis pub/sub: the process that changes a user's access or a tenant
// tells every API process to drop its cached copy now, so process-local caches (authenticated users,
// tenant directory) stay correct without a database read per request. Messages can be lost while the
// subscription is down, so every listener is told to drop everything when it comes back.
import type { Redis } from 'ioredis'
import { closeRedis } from './close-redis.ts'

export type InvalidationTopic = 'user' | 'tenants'
/** A key of the topic, or ALL_KEYS to drop every cached entry of it. */
export type InvalidationListener = (key: string) => void

export const ALL_KEYS = '*'

export interface InvalidationBroadcast {
  /** Invalidates in this process at once, then in the others. Never throws: the change already happened. */
  publish(topic: InvalidationTopic, key: string): Promise<void>
  on(topic: InvalidationTopic, listener: InvalidationListener): void
  close(): Promise<void>
}

interface Logger {
  warn(object: object, message: string): void
}

export async function startInvalidationBroadcast(
  redis: Redis,
  channel: string,
  logger?: Logger
): Promise<InvalidationBroadcast> {
  const listeners = new Map<InvalidationTopic, InvalidationListener[]>()
  const deliver = (topic: InvalidationTopic, key: string) => {
    for (const listener of listeners.get(topic) ?? []) listener(key)
  }
  const deliverAll = () => {
    for (const topic of listeners.keys()) deliver(topic, ALL_KEYS)
  }
  const subscriber = redis.duplicate()
  subscriber.on('error', () => undefined)
  subscriber.on('message', (_channel: string, message: string) => {
    const separator = message.indexOf(':')
    if (separator > 0) deliver(message.slice(0, separator) as InvalidationTopic, message.slice(separator + 1))
  })
  let subscribedOnce = false
  // ioredis resubscribes on reconnect; anything published meanwhile was missed.
  subscriber.on('ready', () => {
    if (subscribedOnce) deliverAll()
  })
  try {
    await subscriber.subscribe(channel)
    subscribedOnce = true
  } catch (error) {
    logger?.warn({ err: { message: (error as Error).message } }, 'cache invalidation broadcast unavailable')
  }
  return {
    async publish(topic, key) {
      deliver(topic, key)
      try {
        await redis.publish(channel, `${topic}:${key}`)
      } catch (error) {
        logger?.warn(
          { topic, err: { message: (error as Error).message } },
          'cache invalidation not broadcast'
        )
      }
    },
    on(topic, listener) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), listener])
    },
    close: () => closeRedis(subscriber)
  }
}
