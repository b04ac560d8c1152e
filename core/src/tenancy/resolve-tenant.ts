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
  const target = source.host ? hostTarget(app.get('config'), source.host) : NO_TENANT
  if (target === NO_TENANT) return undefined
  return target.kind === 'slug'
    ? found(directory, 'slug', target.key, bySlugAnswer)
    : found(directory, 'domain', target.key, byDomainAnswer)
}

/** What a Host header addresses: a tenant slug under the base domain, a custom domain, or no tenant. */
interface HostTarget {
  kind: 'slug' | 'domain'
  key: string
}
const NO_TENANT = null

// Parsing a Host header (case, port, trailing dot, base domain, reserved labels) gives the same answer
// every time: remembered per raw header, so a request makes one Map lookup instead of five string
// operations. Per config (tests run apps with different base domains); bounded, as clients choose the
// header: when full, it starts over.
const MAX_REMEMBERED_HOSTS = 1024
const targetsByConfig = new WeakMap<object, Map<string, HostTarget | typeof NO_TENANT>>()

function hostTarget(config: { baseDomain: string }, host: string): HostTarget | typeof NO_TENANT {
  let targets = targetsByConfig.get(config)
  if (!targets) {
    targets = new Map()
    targetsByConfig.set(config, targets)
  }
  let target = targets.get(host)
  if (target !== undefined) return target
  target = parseHostTarget(host, config.baseDomain.toLowerCase())
  if (targets.size >= MAX_REMEMBERED_HOSTS) targets.clear()
  targets.set(host, target)
  return target
}

function parseHostTarget(host: string, baseDomain: string): HostTarget | typeof NO_TENANT {
  const hostname = hostnameOf(host)
  if (!hostname || hostname === baseDomain) return NO_TENANT
  if (hostname.endsWith(`.${baseDomain}`)) {
    const label = hostname.slice(0, -(baseDomain.length + 1))
    // Platform subdomains (api., app., www.) and deeper names are not tenants.
    if (label.includes('.') || RESERVED_SLUGS.has(label)) return NO_TENANT
    return { kind: 'slug', key: label }
  }
  return { kind: 'domain', key: hostname }
}

const bySlugAnswer = (tenant: TenantDocument | null, slug: string) => {
  if (!tenant) throw tenantUnknown(slug)
  return toResolvedTenant(tenant)
}

const byDomainAnswer = (tenant: TenantDocument | null) => (tenant ? toResolvedTenant(tenant) : undefined)

function found<T>(
  directory: TenantDirectory,
  kind: 'slug' | 'domain',
  key: string,
  answer: (tenant: TenantDocument | null, key: string) => T
): T | Promise<T> {
  // Not `??`: a cached null (no such tenant) is an answer too.
  const cached = directory.peek ? directory.peek(kind, key) : NOT_CACHED
  if (cached !== NOT_CACHED) return answer(cached, key)
  return (kind === 'slug' ? directory.bySlug(key) : directory.byDomain(key)).then((tenant) =>
    answer(tenant, key)
  )
}
