// Account → tenant routes for the webhook hot path, kept in memory: the code writes a route once
// ($setOnInsert) and never re-points it; misses are not cached, so an account routed after its first
// events is found on the next delivery. Entries expire after a minute so a route removed or changed by
// hand (support, another process) takes effect soon; bounded in size.
import type { AccountRoute } from '../models/account-route-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'

const MAX_ROUTES = 10_000
const TTL_MS = 60_000

interface Cached {
  route: AccountRoute
  expiresAt: number
}

const caches = new WeakMap<PaymentsRuntime, Map<string, Cached>>()

function cacheOf(runtime: PaymentsRuntime): Map<string, Cached> {
  let cache = caches.get(runtime)
  if (!cache) {
    cache = new Map()
    caches.set(runtime, cache)
  }
  return cache
}

export async function routeOf(runtime: PaymentsRuntime, accountHash: string): Promise<AccountRoute | null> {
  const cache = cacheOf(runtime)
  const cached = cache.get(accountHash)
  const now = Date.now()
  if (cached && cached.expiresAt > now) return cached.route
  cache.delete(accountHash)
  const route = (await runtime.models.routes.findById(accountHash).lean()) as AccountRoute | null
  if (!route) return null
  // Oldest first out (Map keeps insertion order): a burst of many accounts cannot grow it unbounded.
  if (cache.size >= MAX_ROUTES) cache.delete(cache.keys().next().value as string)
  cache.set(accountHash, { route, expiresAt: now + TTL_MS })
  return route
}

/** Called where routes are written (connection, reconciliation), so a change is read afresh. */
export function forgetRoute(runtime: PaymentsRuntime, accountHash: string): void {
  caches.get(runtime)?.delete(accountHash)
}
