// One storefront request's attribution decision, the single source of truth for both the cookie (handle.ts)
// and the landing sections' `source` prop (+page.server.ts), so a lead's source is always what the cookie
// keeps or now stores.
import type { UiAttribution } from '@masterstage/core/client'
import { type AttributionDecision, decideAttribution } from './choose.ts'
import { decodeTouch } from './cookie-value.ts'
import { referredFromOwnHost, touchOf } from './touch.ts'

/** What the decision reads from a request: nothing else (no other header or cookie) can sway it. */
export interface AttributionRequest {
  url: URL
  method: string
  referer: string | null
  /** The attribution cookie's raw value. */
  cookie: string | undefined
  now: Date
}

export function requestAttribution(request: AttributionRequest): AttributionDecision {
  // Only page views are touches; a form post re-rendering the page still reads the stored one.
  const visit = request.method === 'GET'
  return decideAttribution(
    visit ? touchOf(request) : null,
    decodeTouch(request.cookie),
    referredFromOwnHost(request.referer, request.url.hostname)
  )
}

/**
 * The landing sections' `source` prop: exactly the request's decided attribution (a copy, so a section
 * cannot change what other sections get), empty for a visit with none.
 */
export function landingSource(attribution: UiAttribution | undefined): UiAttribution {
  return { ...attribution }
}
