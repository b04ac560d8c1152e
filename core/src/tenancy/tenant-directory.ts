// Looks tenants up by id, slug or custom domain with a short process-local cache. Tenant writes clear it in
// every API process at once (invalidation broadcast); while that is not subscribed the cache is bypassed.
// Keys come from clients (Host, X-Tenant, socket ?tenant=): the cache is a bounded LRU, and "no such
// tenant" is remembered only briefly, so a flood of made-up hosts can neither grow memory nor hide a
// tenant or domain created a moment later.
import type { ResolvedTenant } from '../app/declarations.ts'
import { createExpiringCache, type NOT_CACHED } from '../app/expiring-cache.ts'
import type { TenancyModels, TenantDocument } from './tenancy-models.ts'

export const TENANT_CACHE_TTL_MS = 5_000
export const TENANT_NOT_FOUND_TTL_MS = 1_000
export const TENANT_CACHE_MAX_ENTRIES = 5_000
/** Entries are kept 80–100 % of their TTL (expiring-cache.ts's ttlJitter). */
export const TENANT_CACHE_TTL_JITTER = 0.2
const OBJECT_ID = /^[0-9a-f]{24}$/

export interface TenantDirectory {
  byId(id: string): Promise<TenantDocument | null>
  bySlug(slug: string): Promise<TenantDocument | null>
  byDomain(hostname: string): Promise<TenantDocument | null>
  /** An explicit reference from a client: a tenant id or a slug. */
  byReference(reference: string): Promise<TenantDocument | null>
  /** Ids of every tenant of an agency (agency-wide views, agency admins' channels). */
  agencyTenantIds(agencyId: string): Promise<string[]>
  /**
   * The cached answer of bySlug/byDomain/byId without a load or a promise (the request path), or NOT_CACHED:
   * then ask bySlug/byDomain. Optional: directories without a cache need not have it.
   */
  peek?(kind: 'slug' | 'domain' | 'id', key: string): TenantDocument | null | typeof NOT_CACHED
  /** Drops every cached entry; called after any tenant write. */
  invalidate(): void
}

// Cached tenant documents are shared and never modified, so each gets one frozen ResolvedTenant instead of
// a new object per request.
const resolvedByDocument = new WeakMap<TenantDocument, ResolvedTenant>()

export function toResolvedTenant(tenant: TenantDocument): ResolvedTenant {
  let resolved = resolvedByDocument.get(tenant)
  if (!resolved) {
    resolved = Object.freeze({
      id: String(tenant._id),
      slug: tenant.slug,
      agencyId: tenant.agencyId,
      enabledPlugins: Object.freeze(tenant.enabledPlugins.map((plugin) => plugin.name))
    })
    resolvedByDocument.set(tenant, resolved)
  }
  return resolved
}

export interface TenantDirectoryOptions {
  ttlMs?: number
  notFoundTtlMs?: number
  maxEntries?: number
  /** False while cross-process invalidations cannot arrive: every lookup then reads the database. */
  enabled?: () => boolean
  /** The cache's clock (ms); tests pass their own. */
  now?: () => number
}

export function createTenantDirectory(
  models: TenancyModels,
  options: TenantDirectoryOptions = {}
): TenantDirectory {
  const {
    ttlMs = TENANT_CACHE_TTL_MS,
    notFoundTtlMs = TENANT_NOT_FOUND_TTL_MS,
    maxEntries = TENANT_CACHE_MAX_ENTRIES,
    enabled,
    now
  } = options
  // Expired tenants are answered while one read refreshes them: with many tenants, some expire every
  // moment, and their requests would otherwise wait on a read (the slowest percentile of the request path).
  // "No such tenant" is never answered stale: a tenant created a moment later must be found. Tenants read
  // together (after a start or an invalidation, every active one) would otherwise also expire together and
  // be refreshed in one burst of reads every TTL, a stall of the event loop: their expiries are spread.
  const cache = createExpiringCache<unknown>({
    maxEntries,
    enabled,
    serveStaleForMs: (value) => (value === null ? 0 : ttlMs),
    ttlJitter: TENANT_CACHE_TTL_JITTER,
    now
  })
  // A tenant found by one key is kept under its id and slug too: the request path asks by slug (X-Tenant,
  // Host) and by id (plugin settings), and one read per tenant per TTL then serves both (not one each).
  const namesOf = (value: unknown): string[] => {
    const tenant = value as TenantDocument | null
    return tenant?._id && tenant.slug ? [`id:${String(tenant._id)}`, `slug:${tenant.slug}`] : []
  }
  const cached = <T>(key: string, load: () => Promise<T>, tenantNames = false): Promise<T> =>
    cache.get(
      key,
      load,
      (value) => (value === null ? notFoundTtlMs : ttlMs),
      tenantNames ? namesOf : undefined
    ) as Promise<T>

  const byId = (id: string) =>
    OBJECT_ID.test(id)
      ? cached(`id:${id}`, () => models.Tenant.findById(id).lean<TenantDocument>().exec(), true)
      : Promise.resolve(null)
  const bySlug = (slug: string) =>
    cached(
      `slug:${slug}`,
      () =>
        models.Tenant.findOne({ slug: String(slug) })
          .lean<TenantDocument>()
          .exec(),
      true
    )

  return {
    byId,
    bySlug,
    byDomain: (hostname) =>
      cached(
        `domain:${hostname}`,
        async () => {
          const claim = await models.TenantDomain.findById(String(hostname)).lean().exec()
          return claim ? models.Tenant.findById(claim.tenantId).lean<TenantDocument>().exec() : null
        },
        true
      ),
    byReference: async (reference) =>
      (OBJECT_ID.test(reference) ? await byId(reference) : null) ?? bySlug(reference),
    agencyTenantIds: (agencyId) =>
      cached(`agency:${agencyId}`, async () => {
        const tenants = await models.Tenant.find({ agencyId: String(agencyId) }, { _id: 1 })
          .lean()
          .exec()
        return tenants.map((tenant) => String(tenant._id))
      }),
    peek: (kind, key) => {
      // byId answers null for a malformed id without a lookup or an entry.
      if (kind === 'id' && !OBJECT_ID.test(key)) return null
      return cache.peek(`${kind}:${key}`) as TenantDocument | null | typeof NOT_CACHED
    },
    invalidate: () => cache.invalidate('*')
  }
}
