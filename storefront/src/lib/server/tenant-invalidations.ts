// Listens to the API's cache-invalidation broadcast (Redis pub/sub, `<QUEUE_PREFIX>:cache-invalidations`)
// and drops the storefront's cached tenant data when any tenant changes, so theme, domain and plugin edits
// show at once instead of after SITE_CACHE_MS. If Redis is down at start or later, the broadcast subscribes
// again on every reconnection and then drops everything cached (messages sent meanwhile were missed); until
// then the short TTL (SITE_CACHE_MS) bounds staleness.
import { startInvalidationBroadcast } from '@masterstage/core/app/invalidation-broadcast.ts'
import { Redis } from 'ioredis'
import { logger } from './logger.ts'
import { settings } from './settings.ts'
import { invalidateSites } from './site-cache.ts'

let started: Promise<void> | undefined

/** Starts following once; settles when subscribed, or when Redis turned out unreachable (logged). */
export function followTenantChanges(): Promise<void> {
  const redisUrl = settings.redisUrl
  if (!redisUrl || settings.siteCacheMs <= 0) return Promise.resolve()
  started ??= subscribeToTenantChanges(redisUrl)
  return started
}

function subscribeToTenantChanges(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 })
  redis.on('error', () => undefined)
  const listening = startInvalidationBroadcast(redis, `${settings.queuePrefix}:cache-invalidations`, logger)
  // adapter-node's graceful shutdown waits for the event loop to drain: open Redis connections would hold it.
  process.once('sveltekit:shutdown' as any, () => {
    listening
      .then((broadcast) => broadcast.close())
      .catch(() => undefined)
      .finally(() => redis.disconnect())
  })
  return listening
    .then((broadcast) => {
      broadcast.on('tenants', () => invalidateSites())
      // Started before this listener existed: anything cached while not yet subscribed may be stale.
      if (broadcast.isLive()) invalidateSites()
    })
    .catch((error: unknown) =>
      logger.warn(
        { code: 'TENANT_INVALIDATIONS_UNAVAILABLE', err: { message: (error as Error).message } },
        'not following tenant changes: cached sites expire after SITE_CACHE_MS'
      )
    )
}
