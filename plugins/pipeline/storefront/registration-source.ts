// The source fields a registration form carries as hidden inputs: the page URL's utm_* and ?ref= first,
// else the visit's attribution the storefront recorded (an earlier landing page, kept in its cookie). Only
// values the registration API accepts are carried (core's attribution rules, which the API applies): a
// refused hidden field would block a registration the visitor cannot correct.
import { isHttpUrl, MAX_REFERRER_LENGTH, type UiAttribution, UTM_VALUE } from '@masterstage/core/client'
import { SOURCE_FIELDS } from '../domain/registration-input.ts'

export { SOURCE_FIELDS }

export type SourceField = (typeof SOURCE_FIELDS)[number]

const UTM_PARAMS = [
  ['utm_source', 'utmSource'],
  ['utm_medium', 'utmMedium'],
  ['utm_campaign', 'utmCampaign']
] as const

function utm(raw: string | null | undefined): string | undefined {
  const value = raw?.trim()
  return value && UTM_VALUE.test(value) ? value : undefined
}

/** An http(s) URL as origin + path (a query string may carry personal data), within the API's limit. */
function referrer(raw: string | null | undefined): string | undefined {
  if (!raw || !isHttpUrl(raw.trim())) return undefined
  const url = new URL(raw.trim())
  const value = `${url.origin}${url.pathname}`
  return value.length <= MAX_REFERRER_LENGTH && !/[<>]/.test(value) ? value : undefined
}

export function registrationSource(
  url: URL,
  attribution?: UiAttribution
): Partial<Record<SourceField, string>> {
  const source: Partial<Record<SourceField, string>> = {}
  const fromUrl = UTM_PARAMS.map(([param, field]) => [field, utm(url.searchParams.get(param))] as const)
  // The URL's UTM values are one campaign: never mixed with another campaign's from the cookie.
  const urlTagged = fromUrl.some(([, value]) => value !== undefined)
  for (const [field, value] of fromUrl) {
    const chosen = urlTagged ? value : utm(attribution?.[field])
    if (chosen) source[field] = chosen
  }
  const ref = referrer(url.searchParams.get('ref')) ?? referrer(attribution?.referrer)
  if (ref) source.referrer = ref
  return source
}
