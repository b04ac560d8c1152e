// Test helper: an ioredis client that never connects, for the limiters' Redis-down policies.
import { Redis } from 'ioredis'

/** Every command fails at once (no offline queue, no retries); its connection errors are swallowed. */
export function unreachableRedis(): Redis {
  const redis = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null
  })
  redis.on('error', () => undefined)
  return redis
}
