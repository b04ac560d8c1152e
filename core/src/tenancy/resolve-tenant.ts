// Works out which tenant a request or socket addresses: an explicit reference (X-Tenant header, socket
// auth/query: slug, id or claimed custom domain) wins; otherwise the Host (`<slug>.<baseDomain>` or a
// claimed custom domain).
import { NotFound } from '@feathersjs/errors'
import type { Application, ResolvedTenant } from '../app/declarations.ts'
import { NOT_CACHED } from '../app/expiring-cache.ts'
import { ErrorCode } from '../errors/codes.ts'
import type { TenantDocument } from './tenancy-models.ts'
import { type TenantDirectory, toResolvedTenant } from './tenant-directory.ts'
import { RESERVED_SLUGS } from './tenant-schema.ts'

export const TENANT_HEADER = 'x-tenant'

export function tenantUnknown(reference: string): NotFound {
  return new NotFound(`Unknown tenant '${reference.slice(0, 100)}'`, { code: ErrorCode.TENANT_UNKNOWN })
}

export function hostnameOf(host: string | undefined): string {
  if (!host) return ''
  const value = host.trim().toLowerCase()
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1)
  return value.split(':')[0].replace(/\.$/, '')
}

/**
 * Returns the addressed tenant, `undefined` when the request addresses none (the platform's own hosts),
 * and throws 404 TENANT_UNKNOWN for an explicit reference or tenant subdomain that matches no tenant.
 */
export async function resolveTenant(
  app: Application,
  source: { host?: string; explicit?: string }
): Promise<ResolvedTenant | undefined> {
  return resolveTenantNow(app, source)
}

/**
 * resolveTenant for the request path: answers synchronously when the directory has the tenant cached (no
 * promise per request), otherwise returns the promise of the lookup. Same answers and errors.
 */
export function resolveTenantNow(
  app: Application,
  source: { host?: string; explicit?: string }
): ResolvedTenant | undefined | Promise<ResolvedTenant | undefined> {
  const directory = app.get('access').tenants
  const explicit = source.explicit?.trim()
  if (explicit) {
    const reference = explicit.toLowerCase()
    // Slugs and ids have no dots: a dotted reference is a claimed custom domain (API clients, storefront).
    const lookup = reference.includes('.')
      ? directory.byDomain(hostnameOf(reference))
      : directory.byReference(reference)
    return lookup.then((tenant) => {
      if (!tenant) throw tenantUnknown(explicit)
      return toResolvedTenant(tenant)
    })
  }
  const hostname = hostnameOf(source.host)
  if (!hostname) return undefined
  const baseDomain = app.get('config').baseDomain.toLowerCase()
  if (hostname === baseDomain) return undefined
  if (hostname.endsWith(`.${baseDomain}`)) {
    const label = hostname.slice(0, -(baseDomain.length + 1))
    // Platform subdomains (api., app., www.) and deeper names are not tenants.
    if (label.includes('.') || RESERVED_SLUGS.has(label)) return undefined
    return found(directory, 'slug', label, (tenant) => {
      if (!tenant) throw tenantUnknown(label)
      return toResolvedTenant(tenant)
    })
  }
  return found(directory, 'domain', hostname, (tenant) => (tenant ? toResolvedTenant(tenant) : undefined))
}

function found<T>(
  directory: TenantDirectory,
  kind: 'slug' | 'domain',
  key: string,
  answer: (tenant: TenantDocument | null) => T
): T | Promise<T> {
  // Not `??`: a cached null (no such tenant) is an answer too.
  const cached = directory.peek ? directory.peek(kind, key) : NOT_CACHED
  if (cached !== NOT_CACHED) return answer(cached)
  return (kind === 'slug' ? directory.bySlug(key) : directory.byDomain(key)).then(answer)
}
