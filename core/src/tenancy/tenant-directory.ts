// Looks tenants up by id, slug or custom domain with a short process-local cache. Tenant writes clear it in
// every API process at once (invalidation broadcast); TTL_MS bounds staleness only while that is down.
import type { ResolvedTenant } from '../app/declarations.ts'
import type { TenancyModels, TenantDocument } from './tenancy-models.ts'

const TTL_MS = 5_000
const OBJECT_ID = /^[0-9a-f]{24}$/

export interface TenantDirectory {
  byId(id: string): Promise<TenantDocument | null>
  bySlug(slug: string): Promise<TenantDocument | null>
  byDomain(hostname: string): Promise<TenantDocument | null>
  /** An explicit reference from a client: a tenant id or a slug. */
  byReference(reference: string): Promise<TenantDocument | null>
  /** Ids of every tenant of an agency (agency-wide views, agency admins' channels). */
  agencyTenantIds(agencyId: string): Promise<string[]>
  /** Drops every cached entry; called after any tenant write. */
  invalidate(): void
}

export function toResolvedTenant(tenant: TenantDocument): ResolvedTenant {
  return {
    id: String(tenant._id),
    slug: tenant.slug,
    agencyId: tenant.agencyId,
    enabledPlugins: tenant.enabledPlugins.map((plugin) => plugin.name)
  }
}

export function createTenantDirectory(models: TenancyModels, ttlMs = TTL_MS): TenantDirectory {
  const cache = new Map<string, { value: unknown; expiresAt: number }>()

  async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key)
    if (hit && hit.expiresAt > Date.now()) return hit.value as T
    const value = await load()
    cache.set(key, { value, expiresAt: Date.now() + ttlMs })
    return value
  }

  const byId = (id: string) =>
    OBJECT_ID.test(id)
      ? cached(`id:${id}`, () => models.Tenant.findById(id).lean<TenantDocument>().exec())
      : Promise.resolve(null)
  const bySlug = (slug: string) =>
    cached(`slug:${slug}`, () =>
      models.Tenant.findOne({ slug: String(slug) })
        .lean<TenantDocument>()
        .exec()
    )

  return {
    byId,
    bySlug,
    byDomain: (hostname) =>
      cached(`domain:${hostname}`, async () => {
        const claim = await models.TenantDomain.findById(String(hostname)).lean().exec()
        return claim ? models.Tenant.findById(claim.tenantId).lean<TenantDocument>().exec() : null
      }),
    byReference: async (reference) =>
      (OBJECT_ID.test(reference) ? await byId(reference) : null) ?? bySlug(reference),
    agencyTenantIds: (agencyId) =>
      cached(`agency:${agencyId}`, async () => {
        const tenants = await models.Tenant.find({ agencyId: String(agencyId) }, { _id: 1 })
          .lean()
          .exec()
        return tenants.map((tenant) => String(tenant._id))
      }),
    invalidate: () => cache.clear()
  }
}
