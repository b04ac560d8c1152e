// The attribution cookie's value: the touch as base64url JSON (cookie-safe characters only, no encoding
// surprises), and the reverse, which ignores anything malformed or tampered with rather than trusting it.
import { referrerValue, UTM_FIELDS, utmValue } from '@masterstage/core/client'
import type { Touch } from './touch.ts'

export const ATTRIBUTION_COOKIE = 'ms_attribution'
/** Kept for 30 days: a visitor who registers within a month is credited to the touch that brought them. */
export const ATTRIBUTION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60
/** Far above any value this storefront writes (about 2 KB at the caps); longer ones are not parsed. */
const MAX_COOKIE_LENGTH = 4_096

export function encodeTouch(touch: Touch): string {
  return Buffer.from(JSON.stringify(touch), 'utf8').toString('base64url')
}

/** The stored touch, or undefined when the cookie is absent, malformed or holds values we never write. */
export function decodeTouch(value: string | undefined): Touch | undefined {
  if (!value || value.length > MAX_COOKIE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const raw = parsed as Record<string, unknown>
  const at = typeof raw.at === 'string' && !Number.isNaN(Date.parse(raw.at)) ? raw.at : undefined
  if (!at) return undefined
  const touch: Touch = { at: new Date(at).toISOString() }
  // Every value is checked again as if it came from a URL: the cookie is the visitor's to edit.
  for (const field of UTM_FIELDS) {
    if (raw[field] === undefined) continue
    const value = typeof raw[field] === 'string' ? utmValue(raw[field]) : undefined
    if (value === undefined || value !== raw[field]) return undefined
    touch[field] = value
  }
  if (raw.referrer !== undefined) {
    if (typeof raw.referrer !== 'string' || referrerValue(raw.referrer) !== raw.referrer) return undefined
    touch.referrer = raw.referrer
  }
  // Other fields (a landing path written by earlier versions) are left behind: nothing reads them.
  if (!UTM_FIELDS.some((field) => touch[field]) && !touch.referrer) return undefined
  return touch
}
