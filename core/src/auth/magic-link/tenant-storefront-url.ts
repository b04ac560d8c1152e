// The address of one tenant's storefront, for links in emails: `<slug>.<storefront host>` when the
// storefront is served on the base domain (the documented tenant addressing), else the `?tenant=` fallback.
import type { Config } from '../../config/config.ts'

export function tenantStorefrontUrl(
  config: Pick<Config, 'storefrontUrl' | 'baseDomain'>,
  slug: string,
  path: string,
  query: Record<string, string>
): string {
  const url = new URL(path, config.storefrontUrl)
  if (url.hostname === config.baseDomain.toLowerCase()) url.hostname = `${slug}.${url.hostname}`
  else url.searchParams.set('tenant', slug)
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
  return url.toString()
}
