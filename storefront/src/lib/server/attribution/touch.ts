// What one storefront request says about where the visitor came from: its utm_* parameters and an external
// Referer (another host than the tenant's), reduced to values the registration API accepts (core's
// attribution rules, which the API applies too), so whatever the cookie keeps can be carried by a form as is.
import { isHttpUrl, MAX_REFERRER_LENGTH, type UiAttribution, UTM_VALUE } from '@masterstage/core/client'

export { MAX_REFERRER_LENGTH }

const UTM_PARAMS = [
  ['utm_source', 'utmSource'],
  ['utm_medium', 'utmMedium'],
  ['utm_campaign', 'utmCampaign']
] as const

/** A request's attribution plus when it happened (kept in the cookie only, see cookie-value.ts). */
export interface Touch extends UiAttribution {
  /** ISO time of the touch. */
  at: string
}

/** The value trimmed, when the API keeps it as a UTM value; anything else is dropped, never cut or mended. */
export function utmValue(raw: string | null | undefined): string | undefined {
  const value = raw?.trim()
  return value && UTM_VALUE.test(value) ? value : undefined
}

function hostnameOf(host: string): string {
  return host.toLowerCase().replace(/\.$/, '')
}

/**
 * An http(s) URL reduced to origin + path. The query string and fragment are dropped (search terms, emails
 * or tokens travel there), and so are credentials. Too long a path is cut to the API's limit; a URL whose
 * origin alone is too long is not kept at all.
 */
export function referrerShape(value: string): string | undefined {
  if (!isHttpUrl(value)) return undefined
  const url = new URL(value)
  if (url.origin.length > MAX_REFERRER_LENGTH) return undefined
  return `${url.origin}${url.pathname}`.slice(0, MAX_REFERRER_LENGTH)
}

/**
 * True when the Referer is a page of the storefront's own host (navigation within it), whatever the port,
 * scheme or case; false for another host, no Referer or one that is not a URL.
 */
export function referredFromOwnHost(referer: string | null | undefined, ownHostname: string): boolean {
  if (!referer) return false
  try {
    return hostnameOf(new URL(referer).hostname) === hostnameOf(ownHostname)
  } catch {
    return false
  }
}

/** The Referer as a referrer worth keeping: an http(s) page on another host than the storefront's own. */
export function externalReferrer(
  referer: string | null | undefined,
  ownHostname: string
): string | undefined {
  if (!referer || referredFromOwnHost(referer, ownHostname)) return undefined
  return referrerShape(referer)
}

/**
 * The URL without its utm_* parameters (all of them, not only the three kept): what a page shows must not
 * depend on them, so visits of different campaigns share cached section data (site-cache.ts).
 */
export function withoutUtmParams(url: URL): URL {
  const keys = [...url.searchParams.keys()].filter((key) => key.startsWith('utm_'))
  if (keys.length === 0) return url
  const stripped = new URL(url)
  for (const key of keys) stripped.searchParams.delete(key)
  return stripped
}

/** The request's utm_* values, sanitized (an empty object when it has none). */
export function utmOf(url: URL): Pick<UiAttribution, 'utmSource' | 'utmMedium' | 'utmCampaign'> {
  const utm: Pick<UiAttribution, 'utmSource' | 'utmMedium' | 'utmCampaign'> = {}
  for (const [param, field] of UTM_PARAMS) {
    const value = utmValue(url.searchParams.get(param))
    if (value) utm[field] = value
  }
  return utm
}

/**
 * The touch this request makes, or null for a direct visit or internal navigation (no usable utm_* value
 * and no external Referer): those never change what was recorded.
 */
export function touchOf(request: { url: URL; referer: string | null; now: Date }): Touch | null {
  const utm = utmOf(request.url)
  const referrer = externalReferrer(request.referer, request.url.hostname)
  if (Object.keys(utm).length === 0 && !referrer) return null
  return { ...utm, ...(referrer && { referrer }), at: request.now.toISOString() }
}
