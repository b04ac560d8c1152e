// Account → tenant routes for the webhook hot path, kept in core's bounded expiring cache: the code writes
// a route once ($setOnInsert) and never re-points it; misses are not kept, so an account routed after its
// first events is found on the next delivery. Entries expire after a minute so a route removed or changed
// by hand (support, another process) takes effect soon.
import { createExpiringCache, type ExpiringCache } from '@masterstage/core'
import type { AccountRoute } from '../models/account-route-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'

const MAX_ROUTES = 10_000
const TTL_MS = 60_000

const caches = new WeakMap<PaymentsRuntime, ExpiringCache<AccountRoute | null>>()

function cacheOf(runtime: PaymentsRuntime): ExpiringCache<AccountRoute | null> {
  let cache = caches.get(runtime)
  if (!cache) {
    cache = createExpiringCache({ maxEntries: MAX_ROUTES })
    caches.set(runtime, cache)
  }
  return cache
}

export function routeOf(runtime: PaymentsRuntime, accountHash: string): Promise<AccountRoute | null> {
  return cacheOf(runtime).get(
    accountHash,
    async () => (await runtime.models.routes.findById(accountHash).lean()) as AccountRoute | null,
    (route) => (route ? TTL_MS : 0)
  )
}

/** Called where routes are written (connection, reconciliation), so a change is read afresh. */
export function forgetRoute(runtime: PaymentsRuntime, accountHash: string): void {
  caches.get(runtime)?.invalidate(accountHash)
}
