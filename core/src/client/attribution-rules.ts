// What a visit's source may hold (UiAttribution): the rules shared by the storefront that records it and the
// registration API that stores it as a lead's source, so a value the storefront keeps is one the API accepts.
// Which source a visit has (first touch, later campaign) is the storefront's decision, not core's.
import type { UiAttribution } from './ui-contract.ts'

/** A UTM value: letters, digits and a few separators, 1–100 characters. */
export const UTM_VALUE = /^[\p{L}\p{N} ._+%/-]{1,100}$/u
export const MAX_UTM_LENGTH = 100
/** A referrer is an http(s) URL of at most this many characters (origin and path, no query string). */
export const MAX_REFERRER_LENGTH = 500

/** The URL parameters of a campaign and the source fields they fill. */
export const UTM_PARAMS = [
  ['utm_source', 'utmSource'],
  ['utm_medium', 'utmMedium'],
  ['utm_campaign', 'utmCampaign']
] as const

export type UtmField = (typeof UTM_PARAMS)[number][1]
export const UTM_FIELDS: readonly UtmField[] = UTM_PARAMS.map(([, field]) => field)

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/** The value trimmed, when the API keeps it as a UTM value; anything else is dropped, never cut or mended. */
export function utmValue(raw: string | null | undefined): string | undefined {
  const value = raw?.trim()
  return value && UTM_VALUE.test(value) ? value : undefined
}

/**
 * An http(s) URL reduced to origin + path: the query string and fragment (search terms, emails or tokens
 * travel there) and credentials are dropped. A result over the API's limit is dropped, never cut: a cut
 * path names another page.
 */
export function referrerValue(raw: string | null | undefined): string | undefined {
  const trimmed = raw?.trim()
  if (!trimmed || !isHttpUrl(trimmed)) return undefined
  const url = new URL(trimmed)
  const value = `${url.origin}${url.pathname}`
  return value.length <= MAX_REFERRER_LENGTH ? value : undefined
}

/** A URL's utm_* values the API accepts (an empty object when it has none). */
export function utmOfUrl(url: URL): Pick<UiAttribution, UtmField> {
  const utm: Pick<UiAttribution, UtmField> = {}
  for (const [param, field] of UTM_PARAMS) {
    const value = utmValue(url.searchParams.get(param))
    if (value) utm[field] = value
  }
  return utm
}
