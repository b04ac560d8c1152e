// Where a plugin section's form may send the visitor afterwards: only somewhere on this storefront.
import { sameOriginPath, type UiSectionActionResult } from '@masterstage/core/client'

/** The redirect a plugin asked for, when it is a path on this storefront (see sameOriginPath), else null. */
export function safeRedirect(result: UiSectionActionResult): string | null {
  return sameOriginPath(result.redirect)
}
