// Per-process cache of authenticated users (the JWT strategy's entity), so a request with a valid token
// needs no database read. Entries live `ttlMs` at most and the cache is bounded; access changes drop the
// user's entry at once in every process (invalidation broadcast), so revocation stays immediate. The TTL
// only bounds staleness for non-access profile fields; while the broadcast is not subscribed (`enabled`
// false) the cache is bypassed, because a revocation made elsewhere would not reach it.
import { createExpiringCache, NOT_CACHED } from '../app/expiring-cache.ts'
import type { PublicUser } from './user-model.ts'

export const USER_CACHE_TTL_MS = 10_000
export const USER_CACHE_MAX_ENTRIES = 10_000

export interface UserCache {
  /** The cached user, or `load()`'s result (cached when not null). Each caller gets its own copy. */
  get(id: string, load: () => Promise<PublicUser | null>): Promise<PublicUser | null>
  /** A copy of the cached user without a load or a promise; undefined when not cached or cached as absent. */
  peek(id: string): PublicUser | undefined
  /** Drops one user, or every user for ALL_KEYS ('*'). */
  invalidate(id: string): void
}

export function createUserCache(
  ttlMs = USER_CACHE_TTL_MS,
  maxEntries = USER_CACHE_MAX_ENTRIES,
  enabled?: () => boolean
): UserCache {
  const cache = createExpiringCache<PublicUser | null>({ maxEntries, enabled })
  // Services may modify params.user; the cached original must not change with it.
  const copy = (user: PublicUser | null): PublicUser | null =>
    user && { ...user, tenantIds: [...user.tenantIds] }
  return {
    async get(id, load) {
      return copy(
        await cache.get(
          id,
          async () => copy(await load()),
          (user) => (user ? ttlMs : 0)
        )
      )
    },
    peek(id) {
      const user = cache.peek(id)
      return user === NOT_CACHED || user === null ? undefined : (copy(user) ?? undefined)
    },
    invalidate: (id) => cache.invalidate(id)
  }
}
