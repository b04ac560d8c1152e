// JSON for the few values of a hot log line, as JSON.stringify writes them, without its generic path for
// the usual case: a plain ASCII string (request ids, methods, paths, slugs) needs only its quotes, and a
// duration rounded to tenths is formatted from its integer count of tenths.

/** Printable ASCII except the double quote and the backslash: JSON.stringify writes such a string as it is, between quotes. */
const PLAIN = /^[ !#-[\]-~]*$/

/** JSON.stringify(value) for a string. */
export function jsonString(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value)
}

/** String(Math.round(ms * 10) / 10) for a duration in milliseconds. */
export function tenthsOfMs(ms: number): string {
  const tenths = Math.round(ms * 10)
  // Outside small non-negative integers, the general number formatting.
  if (!(tenths >= 0 && tenths < 0x7fffffff)) return String(tenths / 10)
  const rest = tenths % 10
  const whole = (tenths - rest) / 10
  return rest === 0 ? `${whole}` : `${whole}.${rest}`
}
