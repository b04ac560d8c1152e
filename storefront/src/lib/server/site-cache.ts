// Tenants' public profiles (the one `site` call) and their landing sections' data for anonymous visitors,
// kept for a short burst (SITE_CACHE_MS) so a popular landing page renders without an API round trip, in
// core's bounded expiring cache (concurrent misses share one load; failures and partial data are not kept).
// Unknown hosts are cached too, briefly, against host-header floods. Tenant changes clear both at once
// (tenant-invalidations.ts); other data (a new masterclass) shows up within the TTL.
import { createExpiringCache } from '@masterstage/core/app/expiring-cache.ts'
import { createRestClient, toApiError, type UiLoadContext } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { untaggedUrl } from './attribution/touch.ts'
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
 * A landing section's data for visitors who are not signed in. It depends only on the tenant (its revision
 * included, so an edit is never mixed with older data) and the URL without the parameters that only tag the
 * visit's source (utm_*, ?ref=, click ids; the others sorted), never on who asks: the load runs on that URL
 * and every campaign, click and referrer shares its entry (the visit's source reaches the section as its
 * `source` prop instead). Other parameters each make their own entry, within the cache's 1,000. Data the
 * load marks `partial` (a call failed and it fell back) answers this visit only, never the next ones.
 */
export function anonymousSectionData(
  site: PublicSite,
  section: { plugin: string; id: string },
  context: UiLoadContext,
  load: (context: UiLoadContext) => Promise<unknown>
): Promise<unknown> {
  const url = untaggedUrl(context.url)
  return sectionData.get(
    `${site.id}:${site.revision}:${section.plugin}:${section.id}:${url.search}`,
    () => load({ ...context, url }),
    (data) => (isPartial(data) ? 0 : burst())
  )
}

const isPartial = (data: unknown) => (data as { partial?: unknown } | null)?.partial === true

/** Drops everything cached: called when any tenant changed. */
export function invalidateSites(): void {
  sites.invalidate('*')
  sectionData.invalidate('*')
}
