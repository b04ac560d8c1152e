// The source fields a registration form carries as hidden inputs: the page URL's utm_* and ?ref= first,
// else the visit's attribution the storefront recorded (an earlier landing page, kept in its cookie). Only
// values the registration API accepts are carried (core's attribution rules, which the API applies): a
// refused hidden field would block a registration the visitor cannot correct.
import { referrerValue, type UiAttribution, UTM_FIELDS, utmOfUrl, utmValue } from '@masterstage/core/client'
import { SOURCE_FIELDS } from '../domain/registration-input.ts'

export { SOURCE_FIELDS }

export type SourceField = (typeof SOURCE_FIELDS)[number]

export function registrationSource(
  url: URL,
  attribution?: UiAttribution
): Partial<Record<SourceField, string>> {
  const source: Partial<Record<SourceField, string>> = utmOfUrl(url)
  // The URL's UTM values are one campaign: never mixed with another campaign's from the cookie.
  if (Object.keys(source).length === 0) {
    for (const field of UTM_FIELDS) {
      const stored = utmValue(attribution?.[field])
      if (stored) source[field] = stored
    }
  }
  const ref = referrerValue(url.searchParams.get('ref')) ?? referrerValue(attribution?.referrer)
  if (ref) source.referrer = ref
  return source
}
