// What a visit's source may hold (UiAttribution): the rules shared by the storefront that records it and the
// registration API that stores it as a lead's source, so a value the storefront keeps is one the API accepts.
/** A UTM value: letters, digits and a few separators, 1–100 characters. */
export const UTM_VALUE = /^[\p{L}\p{N} ._+%/-]{1,100}$/u
export const MAX_UTM_LENGTH = 100
/** A referrer is an http(s) URL of at most this many characters (origin and path, no query string). */
export const MAX_REFERRER_LENGTH = 500

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}
