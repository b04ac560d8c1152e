// Where a plugin section's form may send the visitor afterwards: only somewhere on this storefront.
import type { UiSectionActionResult } from '@masterstage/core/client'

/** Stands in for this storefront's origin: only whether a target stays on it matters, not its name. */
const HERE = 'http://storefront.invalid'

/**
 * A redirect target a plugin may ask for: a path on this storefront, never another site. Resolved the way
 * a browser does (which drops tabs and newlines and reads `\\` as `/`, so "/\t/evil.com" is
 * "//evil.com"), and answered as the resolved path, so what the browser follows is what was checked.
 */
export function safeRedirect(result: UiSectionActionResult): string | null {
  const target = result.redirect
  if (typeof target !== 'string' || !target.startsWith('/')) return null
  let resolved: URL
  try {
    resolved = new URL(target, HERE)
  } catch {
    return null
  }
  if (resolved.origin !== HERE) return null
  return `${resolved.pathname}${resolved.search}${resolved.hash}`
}
