// The storefront hook step that reads and records first-touch attribution on page requests (works without
// JavaScript: a plain cookie set by the server), and hands plugin loads and landing sections the result.
import type { Handle } from '@sveltejs/kit'
import { ATTRIBUTION_COOKIE, ATTRIBUTION_MAX_AGE_SECONDS, encodeTouch } from './cookie-value.ts'
import { requestAttribution } from './request-attribution.ts'

export interface AttributionHandleOptions {
  /** Whether the request reached us over https (the cookie is Secure then). */
  secure: (url: URL) => boolean
  now?: () => Date
}

export function attributionHandle(options: AttributionHandleOptions): Handle {
  const now = options.now ?? (() => new Date())
  return ({ event, resolve }) => {
    if (!event.locals.site) return resolve(event)
    const decision = requestAttribution({
      url: event.url,
      method: event.request.method,
      referer: event.request.headers.get('referer'),
      cookie: event.cookies.get(ATTRIBUTION_COOKIE),
      now: now()
    })
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
