// What one storefront request says about where the visitor came from: its utm_* parameters and an external
// Referer (another host than the tenant's), reduced to values safe to keep in a cookie and to show in a form.
import type { UiAttribution } from '@masterstage/core/client'

/** Caps per value: the pipeline API refuses longer UTM values (100) and referrers (500). */
export const MAX_UTM_LENGTH = 100
export const MAX_REFERRER_LENGTH = 500
export const MAX_LANDING_PATH_LENGTH = 200

const UTM_PARAMS = [
  ['utm_source', 'utmSource'],
  ['utm_medium', 'utmMedium'],
  ['utm_campaign', 'utmCampaign']
] as const

/** Control characters and markup never belong in a tag; dropping the value beats storing it. */
const UNSAFE = /[\p{Cc}<>]/u

/** A request's attribution plus when it happened (kept in the cookie only, see cookie-value.ts). */
export interface Touch extends UiAttribution {
  /** ISO time of the touch. */
  at: string
}

export function utmValue(raw: string | null | undefined): string | undefined {
  const value = raw?.trim()
  if (!value || UNSAFE.test(value)) return undefined
  return value.slice(0, MAX_UTM_LENGTH).trim()
}

function hostnameOf(host: string): string {
  return host.toLowerCase().replace(/\.$/, '')
}

/**
 * An http(s) URL reduced to origin + path. The query string and fragment are dropped (search terms, emails
 * or tokens travel there), and so are credentials. Too long a path is cut (the API takes 500 characters); a
 * URL whose origin alone is too long is not kept at all.
 */
export function referrerShape(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  const shaped = `${url.origin}${url.pathname}`
  if (url.origin.length > MAX_REFERRER_LENGTH || UNSAFE.test(shaped)) return undefined
  return shaped.slice(0, MAX_REFERRER_LENGTH)
}

/** The Referer as a referrer worth keeping: an http(s) page on another host than the storefront's own. */
export function externalReferrer(
  referer: string | null | undefined,
  ownHostname: string
): string | undefined {
  if (!referer) return undefined
  let hostname: string
  try {
    hostname = new URL(referer).hostname
  } catch {
    return undefined
  }
  if (hostnameOf(hostname) === hostnameOf(ownHostname)) return undefined
  return referrerShape(referer)
}

export function landingPath(url: URL): string {
  return url.pathname.slice(0, MAX_LANDING_PATH_LENGTH)
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
  return {
    ...utm,
    ...(referrer && { referrer }),
    landingPath: landingPath(request.url),
    at: request.now.toISOString()
  }
}
