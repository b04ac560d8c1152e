// Cross-process cache invalidation over Redis pub/sub: the process that changes a user's access or a tenant
// tells every API process to drop its cached copy now, so process-local caches (authenticated users,
// tenant directory) stay correct without a database read per request. Messages can be lost while the
// subscription is down, so every listener is told to drop everything whenever it is (re)subscribed.
//
// Redis may be down when the process starts: the subscription is then retried on every `ready` of the
// subscriber connection until it succeeds. While it is not subscribed `isLive()` is false and the caches
// built on it (user cache, tenant directory) are bypassed rather than served: the choice is a database
// read per lookup over a stale entry, and /ready keeps reporting only MongoDB and Redis reachability.
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
  /** True while this process receives other processes' invalidations; caches must not serve otherwise. */
  isLive(): boolean
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
  let live = false
  let closed = false
  // Anything published while the subscription was down was missed: drop everything once it is back.
  const subscribe = async () => {
    try {
      await subscriber.subscribe(channel)
      if (closed) return
      live = true
      deliverAll()
    } catch (error) {
      logger?.warn(
        { code: 'CACHE_INVALIDATIONS_UNAVAILABLE', err: { message: (error as Error).message } },
        'cache invalidation broadcast unavailable: caches bypassed until Redis is back'
      )
    }
  }
  // SUBSCRIBE is idempotent, so subscribing on every `ready` covers both a first connection that failed at
  // boot and ioredis's own resubscription after a reconnect.
  subscriber.on('ready', () => void subscribe())
  subscriber.on('close', () => {
    live = false
  })
  await subscribe()
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
    isLive: () => live,
    close: () => {
      closed = true
      live = false
      return closeRedis(subscriber)
    }
  }
}
