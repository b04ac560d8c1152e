// Where a web app may send a browser: only somewhere on its own origin (sign-in `next`, tenant switch, a
// plugin form's redirect). Shared by the storefront and the dashboard.

/** Stands in for the app's origin: only whether a target stays on it matters, not its name. */
const HERE = 'http://app.invalid'

/**
 * A path on this origin, or null. Resolved the way a browser does (it drops tabs and newlines and reads `\`
 * as `/`, so "/\evil.com" is "//evil.com"), and answered as the resolved path, so what the browser follows
 * is what was checked.
 */
export function sameOriginPath(target: unknown): string | null {
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
