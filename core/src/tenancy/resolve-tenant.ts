// Works out which tenant a request or socket addresses: an explicit reference (X-Tenant header, socket
// auth/query: slug, id or claimed custom domain) wins; otherwise the Host (`<slug>.<baseDomain>` or a
// claimed custom domain).
import { NotFound } from '@feathersjs/errors'
import type { Application, ResolvedTenant } from '../app/declarations.ts'
import { ErrorCode } from '../errors/codes.ts'
import { toResolvedTenant } from './tenant-directory.ts'
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
  const directory = app.get('access').tenants
  const explicit = source.explicit?.trim()
  if (explicit) {
    const reference = explicit.toLowerCase()
    // Slugs and ids have no dots: a dotted reference is a claimed custom domain (API clients, storefront).
    const tenant = reference.includes('.')
      ? await directory.byDomain(hostnameOf(reference))
      : await directory.byReference(reference)
    if (!tenant) throw tenantUnknown(explicit)
    return toResolvedTenant(tenant)
  }
  const hostname = hostnameOf(source.host)
  if (!hostname) return undefined
  const baseDomain = app.get('config').baseDomain.toLowerCase()
  if (hostname === baseDomain) return undefined
  if (hostname.endsWith(`.${baseDomain}`)) {
    const label = hostname.slice(0, -(baseDomain.length + 1))
    // Platform subdomains (api., app., www.) and deeper names are not tenants.
    if (label.includes('.') || RESERVED_SLUGS.has(label)) return undefined
    const tenant = await directory.bySlug(label)
    if (!tenant) throw tenantUnknown(label)
    return toResolvedTenant(tenant)
  }
  const tenant = await directory.byDomain(hostname)
  return tenant ? toResolvedTenant(tenant) : undefined
}
