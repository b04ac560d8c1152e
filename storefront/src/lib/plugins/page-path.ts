// Matches a storefront path against a plugin page's declared path (`masterclasses/[id]`). The path comes
// from SvelteKit's params, which it has already percent-decoded: decoding again would turn a literal `%`
// (from `%25`) into a malformed escape, and `%2541` into `A`.

/** The dynamic segments' values when `path` fits `pattern` segment for segment, else null. */
export function matchPagePath(pattern: string, path: string): Record<string, string> | null {
  const parts = path.split('/').filter(Boolean)
  const segments = pattern.split('/').filter(Boolean)
  if (segments.length !== parts.length) return null
  const params: Record<string, string> = {}
  for (const [index, segment] of segments.entries()) {
    const dynamic = /^\[(\w+)\]$/.exec(segment)
    if (dynamic) params[dynamic[1]] = parts[index]
    else if (segment !== parts[index]) return null
  }
  return params
}
