// The storefront hook step that reads and records first-touch attribution on page requests (works without
// JavaScript: a plain cookie set by the server), and hands plugin loads the sanitized result.
import type { Handle } from '@sveltejs/kit'
import { decideAttribution } from './choose.ts'
import { ATTRIBUTION_COOKIE, ATTRIBUTION_MAX_AGE_SECONDS, decodeTouch, encodeTouch } from './cookie-value.ts'
import { referredFromOwnHost, touchOf } from './touch.ts'

export interface AttributionHandleOptions {
  /** Whether the request reached us over https (the cookie is Secure then). */
  secure: (url: URL) => boolean
  now?: () => Date
}

export function attributionHandle(options: AttributionHandleOptions): Handle {
  const now = options.now ?? (() => new Date())
  return ({ event, resolve }) => {
    if (!event.locals.site) return resolve(event)
    const referer = event.request.headers.get('referer')
    // Only page views are touches; a form post re-rendering the page still reads the stored one.
    const visit = event.request.method === 'GET'
    const decision = decideAttribution(
      visit ? touchOf({ url: event.url, referer, now: now() }) : null,
      decodeTouch(event.cookies.get(ATTRIBUTION_COOKIE)),
      referredFromOwnHost(referer, event.url.hostname)
    )
    event.locals.attribution = decision.attribution
    if (decision.store) {
      // Host-only (no Domain attribute): each tenant host keeps its own visitors' touches.
      event.cookies.set(ATTRIBUTION_COOKIE, encodeTouch(decision.store), {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secure(event.url),
        maxAge: ATTRIBUTION_MAX_AGE_SECONDS
      })
    }
    return resolve(event)
  }
}
