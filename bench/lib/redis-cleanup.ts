// Removes the Redis keys a bench run created under its own prefix (queued jobs nobody consumes, counters):
// without it every run leaves ~100k jobs behind, and a Redis grown by earlier runs skews later ones.
import { Redis } from 'ioredis'

export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  let deleted = 0
  try {
    await redis.connect()
    const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 })
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await redis.unlink(...keys)
    }
  } finally {
    redis.disconnect()
  }
  return deleted
}
