// What one storefront request says about where the visitor came from: its utm_* parameters and an external
// referrer (a landing URL's ?ref=, else the Referer; another host than the tenant's), reduced to values the registration API accepts (core's
// attribution rules, which the API applies too), so whatever the cookie keeps can be carried by a form as is.
import { referrerValue, type UiAttribution, utmOfUrl } from '@masterstage/core/client'

/** A request's attribution plus when it happened (kept in the cookie only, see cookie-value.ts). */
export interface Touch extends UiAttribution {
  /** ISO time of the touch. */
  at: string
}

function hostnameOf(host: string): string {
  return host.toLowerCase().replace(/\.$/, '')
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
  return referrerValue(referer)
}

/**
 * Parameters that only tag where a visit came from: a landing link's ?ref= (read by touchOf) and the click ids ad
 * networks and mailers append (each click its own value). utm_* parameters are dropped by prefix.
 */
const SOURCE_TAG_PARAMS = new Set([
  'ref',
  'fbclid',
  'gclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'dclid',
  'yclid',
  'ttclid',
  'twclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl'
])

const isSourceTag = (param: string) => param.startsWith('utm_') || SOURCE_TAG_PARAMS.has(param)

/**
 * The URL without the parameters that only tag the visit's source (all utm_* ones, not only the three
 * kept, ?ref= and click ids), the others sorted: what landing sections load from, so visits of different
 * campaigns, clicks or parameter orders share cached section data (site-cache.ts); each visit's source
 * reaches the sections as a prop instead.
 */
export function untaggedUrl(url: URL): URL {
  const untagged = new URL(url)
  for (const param of new Set(url.searchParams.keys())) {
    if (isSourceTag(param)) untagged.searchParams.delete(param)
  }
  untagged.searchParams.sort()
  return untagged
}

/**
 * The touch this request makes, or null for a direct visit or internal navigation (no usable utm_* value
 * and no external referrer): those never change what was recorded. A valid `?ref=` (a link that names the
 * page that sent the visitor) is preferred over the Referer header, which browsers often cut to the origin
 * or leave out; it is an untagged referrer like any other for the decision (choose.ts).
 */
export function touchOf(request: { url: URL; referer: string | null; now: Date }): Touch | null {
  const { url } = request
  const utm = utmOfUrl(url)
  const referrer =
    externalReferrer(url.searchParams.get('ref'), url.hostname) ??
    externalReferrer(request.referer, url.hostname)
  if (Object.keys(utm).length === 0 && !referrer) return null
  return { ...utm, ...(referrer && { referrer }), at: request.now.toISOString() }
}
