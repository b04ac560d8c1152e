// Where the dashboard may send a browser after sign-in or a tenant switch: only somewhere on this origin.
import { sameOriginPath } from '@masterstage/core/client'

/** A path on this dashboard (see sameOriginPath), or `fallback`. */
export function safeRedirect(target: unknown, fallback = '/'): string {
  return sameOriginPath(target) ?? fallback
}
