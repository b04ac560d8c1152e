// Shared ioredis connections for every Bull queue of a process: one command client and one subscriber
// are reused (Bull's createClient pattern); each queue still gets its own blocking client, as Bull requires.
import { Redis, type RedisOptions } from 'ioredis'
import type { Logger } from 'pino'

export type BullClientType = 'client' | 'subscriber' | 'bclient'

export interface RedisConnections {
  /** Bull's `createClient` option. */
  createClient(type: BullClientType): Redis
  /** True while the shared command connection can serve commands (false while Redis is unreachable). */
  isReady(): boolean
  /**
   * At startup waits up to `timeoutMs` for the first connection; once connected, answers at once (a
   * dropped connection is not waited for: callers fall back to the durable path instead of hanging).
   */
  waitReady(timeoutMs: number): Promise<boolean>
  /** Disconnects the shared clients and every blocking client handed out. */
  close(): Promise<void>
}

const MAX_LISTENERS_PER_SHARED_CLIENT = 100

export function createRedisConnections(redisUrl: string, logger: Logger): RedisConnections {
  // Bull needs these for subscriber/bclient; harmless for the command client and keeps them uniform.
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
    // Reconnect forever with a capped delay: Redis coming back must resume delivery without a restart.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000)
  }
  const opened: Redis[] = []
  const everReady = new WeakSet<Redis>()
  const open = (role: BullClientType): Redis => {
    const client = new Redis(redisUrl, options)
    let reportedDown = false
    client.on('error', (error) => {
      // ioredis emits one error per reconnect attempt; log the outage once, not once per 100 ms.
      if (reportedDown) return
      reportedDown = true
      logger.warn({ err: { message: error.message }, role }, 'redis connection error')
    })
    client.on('ready', () => {
      everReady.add(client)
      if (reportedDown) logger.info({ role }, 'redis connection restored')
      reportedDown = false
    })
    opened.push(client)
    return client
  }
  // Every Bull queue given a shared client adds listeners to it: its own, and while the client connects one
  // 'error'/'ready' pair per waiting call (bull's isRedisReady, from setWorkerName and each registered event).
  // A bounded count per process (queues × a few calls), above Node's default warning threshold of 10.
  const openShared = (role: BullClientType): Redis =>
    open(role).setMaxListeners(MAX_LISTENERS_PER_SHARED_CLIENT)
  let shared: Redis | undefined
  let subscriber: Redis | undefined
  return {
    createClient(type) {
      if (type === 'client') {
        shared ??= openShared('client')
        return shared
      }
      if (type === 'subscriber') {
        subscriber ??= openShared('subscriber')
        return subscriber
      }
      return open('bclient')
    },
    isReady() {
      shared ??= openShared('client')
      return shared.status === 'ready'
    },
    async waitReady(timeoutMs) {
      shared ??= openShared('client')
      const client = shared
      if (client.status === 'ready') return true
      if (everReady.has(client) || client.status === 'end') return false
      return new Promise<boolean>((resolve) => {
        const done = (ready: boolean) => {
          clearTimeout(timer)
          client.off('ready', onReady)
          resolve(ready)
        }
        const onReady = () => done(true)
        const timer = setTimeout(() => done(false), timeoutMs)
        client.once('ready', onReady)
      })
    },
    async close() {
      await Promise.all(
        opened.map(async (client) => {
          if (client.status === 'end') return
          try {
            if (client.status === 'ready') await client.quit()
            else client.disconnect()
          } catch {
            client.disconnect()
          }
        })
      )
      opened.length = 0
      shared = undefined
      subscriber = undefined
    }
  }
}
