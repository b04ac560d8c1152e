// A bounded, least-recently-used, process-local cache with per-entry expiry, shared by the user cache and
// the tenant directory. Keys may come from clients (Host, X-Tenant), so the size is capped; a load that
// started before an invalidation never stores its (possibly stale) result; and while `enabled()` is false
// (the cross-process invalidation broadcast is not subscribed) nothing is served or stored, since an
// entry could then outlive a change made by another process. Concurrent misses of one key share one load
// (an expired hot tenant or user would otherwise be read once per waiting request). With `ttlJitter`,
// entries loaded together (every tenant after a start or an invalidation) expire spread out, so their
// refreshes do not arrive as one burst of reads.

export interface ExpiringCacheOptions {
  maxEntries: number
  /** Whether entries may be served and stored right now; evaluated per call. */
  enabled?: () => boolean
  /**
   * An entry expired less than this many ms ago is still answered by `get`, at once, while one load
   * refreshes it in the background (the expiry is a safety net behind invalidations, so requests need not
   * wait on it). 0 (default): an expired entry waits for its load. Per value when a function.
   */
  serveStaleForMs?: number | ((value: any) => number)
  /**
   * Each stored entry's TTL is shortened by a random share of it up to this (0.2: kept 80–100 % of its
   * TTL), so entries stored at one moment expire, and are refreshed, spread over a fifth of their TTL.
   * 0 (default): exactly the TTL.
   */
  ttlJitter?: number
  /** The clock (ms); tests pass their own. */
  now?: () => number
}

/** What `peek` answers when `key` has no live entry (or the cache is disabled). */
export const NOT_CACHED: unique symbol = Symbol('not cached')

export interface ExpiringCache<V> {
  /** The live entry for `key` without a load or a promise (hot paths), else NOT_CACHED. Counts as a use. */
  peek(key: string): V | typeof NOT_CACHED
  /**
   * The live entry for `key`, or `load()`'s result, kept `ttlMs(value)` ms (0 or less: not kept), and kept
   * under `alsoKeys(value)` too (other names of the same value: one load then serves all of them).
   */
  get(
    key: string,
    load: () => Promise<V>,
    ttlMs: (value: V) => number,
    alsoKeys?: (value: V) => readonly string[]
  ): Promise<V>
  /**
   * Loads `key` again whether or not it has an entry (joining a load of it already in flight) and stores
   * the result like `get`; other keys and their loads are left alone (unlike `invalidate`).
   */
  refresh(key: string, load: () => Promise<V>, ttlMs: (value: V) => number): Promise<V>
  /** Drops one key, or everything for '*'. Loads in flight when it is called are not stored. */
  invalidate(key: string): void
  readonly size: number
}

export function createExpiringCache<V>({
  maxEntries,
  enabled = () => true,
  serveStaleForMs = 0,
  ttlJitter = 0,
  now: clock = Date.now
}: ExpiringCacheOptions): ExpiringCache<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>()
  const loading = new Map<string, { generation: number; promise: Promise<V> }>()
  let generation = 0
  // The key stored last: while it has an entry, that entry is already the most recently used one.
  let newest: string | undefined

  /** Map order is insertion order: (re)inserting makes `key` the most recently used entry. */
  const store = (key: string, entry: { value: V; expiresAt: number }) => {
    entries.delete(key)
    entries.set(key, entry)
    newest = key
  }
  /** Marks a hit as the most recently used entry; for the hot key of a busy process, nothing to move. */
  const use = (key: string, entry: { value: V; expiresAt: number }) => {
    if (key !== newest) store(key, entry)
  }

  /** One load of `key` (shared by concurrent callers of this generation), stored if still current. */
  const reload = async (
    key: string,
    load: () => Promise<V>,
    ttlMs: (value: V) => number,
    useCache: boolean,
    hadEntry: boolean,
    alsoKeys?: (value: V) => readonly string[],
    previous?: { value: V }
  ): Promise<V> => {
    const started = generation
    // Joining is safe only for a load of this generation: an older one may hold pre-invalidation data.
    const shared = useCache ? loading.get(key) : undefined
    if (shared && shared.generation === started) return shared.promise
    const promise = load()
    if (useCache) {
      const entry = { generation: started, promise }
      // A refresh also stands for the other names of the value it replaces: their callers join it
      // instead of each starting a load of the same value.
      const names = alsoKeys && previous ? [key, ...alsoKeys(previous.value)] : [key]
      const mine = names.filter((name) => name === key || loading.get(name)?.generation !== started)
      for (const name of mine) loading.set(name, entry)
      const forget = () => {
        for (const name of mine) if (loading.get(name) === entry) loading.delete(name)
      }
      promise.then(forget, forget)
    }
    const value = await promise
    const ttl = ttlMs(value)
    if (ttl > 0 && started === generation && enabled()) {
      // One expiry for every name of the value: they expire together and one load refreshes them all.
      const kept = ttlJitter > 0 ? ttl * (1 - ttlJitter * Math.random()) : ttl
      const entry = { value, expiresAt: clock() + kept }
      for (const name of alsoKeys ? [key, ...alsoKeys(value)] : [key]) store(name, entry)
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    } else if (hadEntry) entries.delete(key)
    return value
  }

  return {
    peek(key) {
      if (!enabled()) return NOT_CACHED
      const hit = entries.get(key)
      if (!hit || hit.expiresAt <= clock()) return NOT_CACHED
      use(key, hit)
      return hit.value
    },
    async get(key, load, ttlMs, alsoKeys) {
      const useCache = enabled()
      if (!useCache && entries.size > 0) entries.clear()
      const hit = useCache ? entries.get(key) : undefined
      const now = clock()
      if (hit && hit.expiresAt > now) {
        use(key, hit)
        return hit.value
      }
      const staleFor =
        typeof serveStaleForMs === 'function' && hit ? serveStaleForMs(hit.value) : serveStaleForMs
      if (hit && now - hit.expiresAt < (staleFor as number)) {
        // A failed refresh leaves the entry, which stops being served once serveStaleForMs has passed.
        reload(key, load, ttlMs, useCache, false, alsoKeys, hit).catch(() => undefined)
        return hit.value
      }
      return reload(key, load, ttlMs, useCache, hit !== undefined, alsoKeys, hit)
    },
    refresh(key, load, ttlMs) {
      const useCache = enabled()
      return reload(key, load, ttlMs, useCache, useCache && entries.has(key))
    },
    invalidate(key) {
      generation++
      if (key === '*') entries.clear()
      else entries.delete(key)
    },
    get size() {
      return entries.size
    }
  }
}
