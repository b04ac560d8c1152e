// Tenants' public profiles (the one `site` call) and the anonymous data of their landing sections, kept
// for a short burst (SITE_CACHE_MS) so a popular landing page renders without an API round trip. Unknown
// hosts are cached too, briefly, against host-header floods. Tenant changes clear both at once
// (tenant-invalidations.ts); other data (a new masterclass) shows up within the TTL.
import { createRestClient, toApiError } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { BurstCache } from './burst-cache.ts'
import { settings } from './settings.ts'

const sites = new BurstCache<PublicSite | null>(settings.siteCacheMs)
const sectionData = new BurstCache<unknown>(settings.siteCacheMs)

export function siteFor(reference: string, requestId: string): Promise<PublicSite | null> {
  return sites.get(reference, async () => {
    const client = createRestClient({ apiUrl: settings.apiUrl, tenant: reference, requestId })
    try {
      return (await client.service('site').find()) as PublicSite
    } catch (error) {
      if (toApiError(error).status !== 404) throw error
      return null
    }
  })
}

/**
 * A landing section's data for visitors who are not signed in: it depends only on the tenant (its
 * revision included, so an edit is never mixed with older data) and the URL, never on who asks.
 */
export function anonymousSectionData(
  site: PublicSite,
  section: { plugin: string; id: string },
  url: URL,
  load: () => Promise<unknown>
): Promise<unknown> {
  return sectionData.get(`${site.id}:${site.revision}:${section.plugin}:${section.id}:${url.search}`, load)
}

/** Drops everything cached: called when any tenant changed. */
export function invalidateSites(): void {
  sites.clear()
  sectionData.clear()
}
