// Which tenant a storefront request is for: `<slug>.<BASE_DOMAIN>`, a custom domain, or, on the bare
// base domain (plain http://localhost:3000), the documented `?tenant=<slug>` fallback remembered in a cookie.
export const TENANT_COOKIE = 'ms_tenant'
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

export function hostnameOf(host: string | null): string {
  if (!host) return ''
  const value = host.trim().toLowerCase()
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1)
  return value.split(':')[0].replace(/\.$/, '')
}

export interface TenantReference {
  /** Sent to the API as X-Tenant. */
  reference: string
  /** True when it came from ?tenant= (to remember it in the fallback cookie). */
  fromQuery: boolean
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]'])

export function tenantReferenceOf(
  host: string | null,
  url: URL,
  fallbackCookie: string | undefined,
  baseDomain: string
): TenantReference | null {
  const hostname = hostnameOf(host)
  if (hostname.endsWith(`.${baseDomain}`)) {
    const label = hostname.slice(0, -(baseDomain.length + 1))
    return SLUG.test(label) ? { reference: label, fromQuery: false } : null
  }
  if (hostname === baseDomain || LOOPBACK.has(hostname)) {
    const query = url.searchParams.get('tenant')?.toLowerCase()
    if (query && SLUG.test(query)) return { reference: query, fromQuery: true }
    return fallbackCookie && SLUG.test(fallbackCookie)
      ? { reference: fallbackCookie, fromQuery: false }
      : null
  }
  // A custom domain: the API maps claimed hostnames to their tenant.
  return hostname ? { reference: hostname, fromQuery: false } : null
}
