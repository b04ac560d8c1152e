// Where the dashboard may send a browser after sign-in or a tenant switch: only somewhere on this origin.

/** Stands in for the dashboard's origin: only whether a target stays on it matters, not its name. */
const HERE = 'http://dashboard.invalid'

/**
 * A path on this dashboard, or `fallback`. Resolved the way a browser does (it drops tabs and newlines and
 * reads `\` as `/`, so "/\evil.com" is "//evil.com"), and answered as the resolved path, so what the
 * browser follows is what was checked.
 */
export function safeRedirect(target: unknown, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/')) return fallback
  let resolved: URL
  try {
    resolved = new URL(target, HERE)
  } catch {
    return fallback
  }
  if (resolved.origin !== HERE) return fallback
  return `${resolved.pathname}${resolved.search}${resolved.hash}`
}
