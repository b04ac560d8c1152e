// Per-process cache of authenticated users (the JWT strategy's entity), so a request with a valid token
// needs no database read. Entries live `ttlMs` at most and the cache is bounded; access changes drop the
// user's entry at once in every process (invalidation broadcast), so revocation stays immediate. The TTL
// only bounds staleness when a broadcast is lost (Redis down), and non-access profile fields.
import type { PublicUser } from './user-model.ts'

export const USER_CACHE_TTL_MS = 10_000
export const USER_CACHE_MAX_ENTRIES = 10_000

export interface UserCache {
  /** The cached user, or `load()`'s result (cached when not null). Each caller gets its own copy. */
  get(id: string, load: () => Promise<PublicUser | null>): Promise<PublicUser | null>
  /** Drops one user, or every user for ALL_KEYS ('*'). */
  invalidate(id: string): void
}

export function createUserCache(ttlMs = USER_CACHE_TTL_MS, maxEntries = USER_CACHE_MAX_ENTRIES): UserCache {
  const entries = new Map<string, { user: PublicUser; expiresAt: number }>()
  // A load that started before an invalidation may have read the old document: it must not be cached.
  let generation = 0
  // Services may modify params.user; the cached original must not change with it.
  const copy = (user: PublicUser): PublicUser => ({ ...user, tenantIds: [...user.tenantIds] })
  return {
    async get(id, load) {
      const hit = entries.get(id)
      if (hit && hit.expiresAt > Date.now()) return copy(hit.user)
      const started = generation
      const user = await load()
      if (user && started === generation) {
        entries.delete(id)
        entries.set(id, { user: copy(user), expiresAt: Date.now() + ttlMs })
        // Map order is insertion order: the first key is the oldest entry.
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
      }
      return user
    },
    invalidate(id) {
      generation++
      if (id === '*') entries.clear()
      else entries.delete(id)
    }
  }
}
