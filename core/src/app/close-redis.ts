// Closes an ioredis client without hanging or throwing: QUIT when connected (pending replies arrive),
// otherwise (or if QUIT fails) drop the connection.
import type { Redis } from 'ioredis'

export async function closeRedis(redis: Redis): Promise<void> {
  try {
    if (redis.status === 'ready') await redis.quit()
    else redis.disconnect()
  } catch {
    redis.disconnect()
  }
}
