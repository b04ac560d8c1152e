// Short-lived cache of tenants' public profiles, so a landing page render does not wait on the API for
// the theme every time. Misses (unknown hosts) are cached too, briefly, against host-header floods.
import { createRestClient, toApiError } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { settings } from './settings.ts'

interface Entry {
  site: PublicSite | null
  expires: number
}

const entries = new Map<string, Entry>()
const MAX_ENTRIES = 1_000

export async function siteFor(reference: string, requestId: string): Promise<PublicSite | null> {
  const now = Date.now()
  const hit = entries.get(reference)
  if (hit && hit.expires > now) return hit.site
  const client = createRestClient({ apiUrl: settings.apiUrl, tenant: reference, requestId })
  let site: PublicSite | null
  try {
    site = (await client.service('site').find()) as PublicSite
  } catch (error) {
    const apiError = toApiError(error)
    if (apiError.status !== 404) throw error
    site = null
  }
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string)
  entries.set(reference, { site, expires: now + settings.siteCacheMs })
  return site
}
