// Tenants' public profiles (the one `site` call) and the anonymous data of their landing sections, kept
// for a short burst (SITE_CACHE_MS) so a popular landing page renders without an API round trip, in core's
// bounded expiring cache (concurrent misses share one load; failures are not kept). Unknown hosts are
// cached too, briefly, against host-header floods. Tenant changes clear both at once
// (tenant-invalidations.ts); other data (a new masterclass) shows up within the TTL.
import { createExpiringCache } from '@masterstage/core/app/expiring-cache.ts'
import { createRestClient, toApiError, type UiAttribution } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { settings } from './settings.ts'

const MAX_ENTRIES = 1_000
const sites = createExpiringCache<PublicSite | null>({ maxEntries: MAX_ENTRIES })
const sectionData = createExpiringCache<unknown>({ maxEntries: MAX_ENTRIES })
const burst = () => settings.siteCacheMs

export function siteFor(reference: string, requestId: string): Promise<PublicSite | null> {
  const load = async () => {
    const client = createRestClient({ apiUrl: settings.apiUrl, tenant: reference, requestId })
    try {
      return (await client.service('site').find()) as PublicSite
    } catch (error) {
      if (toApiError(error).status !== 404) throw error
      return null
    }
  }
  return sites.get(reference, load, burst)
}

/**
 * A landing section's data for visitors who are not signed in: it depends only on the tenant (its
 * revision included, so an edit is never mixed with older data), the URL and the visit's attribution (a
 * form carries it; it holds no visit time, so visitors of one campaign share entries), never on who asks.
 */
export function anonymousSectionData(
  site: PublicSite,
  section: { plugin: string; id: string },
  url: URL,
  attribution: UiAttribution | undefined,
  load: () => Promise<unknown>
): Promise<unknown> {
  // Fixed field order: the same source gives the same key whichever way the object was built.
  const source = attribution
    ? JSON.stringify([
        attribution.utmSource,
        attribution.utmMedium,
        attribution.utmCampaign,
        attribution.referrer,
        attribution.landingPath
      ])
    : ''
  return sectionData.get(
    `${site.id}:${site.revision}:${section.plugin}:${section.id}:${url.search}:${source}`,
    load,
    burst
  )
}

/** Drops everything cached: called when any tenant changed. */
export function invalidateSites(): void {
  sites.invalidate('*')
  sectionData.invalidate('*')
}
