// Cross-site form protection for every storefront: a form submission (what a page on another site can
// send with the visitor's cookies) must come from this request's own origin. SvelteKit's built-in check
// is off (svelte.config.js) because adapter-node assumes https unless told otherwise; this compares with
// the origin the request really has, so custom domains and `<slug>.<BASE_DOMAIN>` hosts each accept only
// themselves: a sibling tenant's page is same-site (its cookies ride along) but never same-origin.
import type { Handle } from '@sveltejs/kit'
import { json, text } from '@sveltejs/kit'

/** Bodies a cross-site HTML form (or a no-cors fetch) can send without a CORS preflight. */
const FORM_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])
const SAFE_METHODS = new Set(['GET', 'HEAD'])

export const CROSS_SITE_MESSAGE =
  'This form was sent from another site, so it was not accepted. Open the page on this site and try again.'

/** The origin this request was addressed to: adapter-node's view (ORIGIN, PROTOCOL_HEADER, HOST_HEADER),
 * with the scheme replaced when the deployment states it (SITE_PROTOCOL, plain-http runs). */
export function ownOrigin(url: URL, siteProtocol: 'http' | 'https' | undefined): string {
  return `${siteProtocol ? `${siteProtocol}:` : url.protocol}//${url.host}`
}

/** True for a form submission whose Origin is missing or another origin than `expected`. */
export function isCrossOriginForm(request: Request, expected: string): boolean {
  if (SAFE_METHODS.has(request.method)) return false
  const type = request.headers.get('content-type')?.split(';', 1)[0].trim().toLowerCase()
  if (!type || !FORM_CONTENT_TYPES.has(type)) return false
  return request.headers.get('origin') !== expected
}

export interface FormOriginOptions {
  siteProtocol: 'http' | 'https' | undefined
  onRefused?: (details: { method: string; path: string; origin: string | null }) => void
}

export function formOriginHandle(options: FormOriginOptions): Handle {
  return ({ event, resolve }) => {
    if (!isCrossOriginForm(event.request, ownOrigin(event.url, options.siteProtocol))) return resolve(event)
    options.onRefused?.({
      method: event.request.method,
      path: event.url.pathname,
      origin: event.request.headers.get('origin')
    })
    const body = { message: CROSS_SITE_MESSAGE, code: 'CROSS_SITE_FORM' }
    return event.request.headers.get('accept')?.includes('application/json')
      ? json(body, { status: 403 })
      : text(CROSS_SITE_MESSAGE, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  }
}
