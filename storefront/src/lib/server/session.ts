// The attendee's session: the API's JWT in an httpOnly cookie named per tenant, so signing in on one
// brand's storefront never signs you in on another's (even on the shared localhost fallback host).
import type { Cookies } from '@sveltejs/kit'
import { settings } from './settings.ts'

const MAX_AGE_SECONDS = 60 * 60 * 24

export function sessionCookieName(tenantSlug: string): string {
  return `ms_session_${tenantSlug.replaceAll('-', '_')}`
}

/**
 * The attendee's token, or undefined. A cookie whose token names no user (`sub` unreadable) is no session
 * and is cleared here: otherwise /signin (signed in? go to /account) and /account (no user? go to /signin)
 * would send the visitor back and forth for ever, and every API call would carry a token it refuses.
 */
export function readSession(cookies: Cookies, tenantSlug: string): string | undefined {
  const token = cookies.get(sessionCookieName(tenantSlug)) || undefined
  if (token && !tokenSubject(token)) {
    clearSession(cookies, tenantSlug)
    return undefined
  }
  return token
}

export function writeSession(cookies: Cookies, tenantSlug: string, accessToken: string): void {
  cookies.set(sessionCookieName(tenantSlug), accessToken, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: settings.secureCookies,
    maxAge: MAX_AGE_SECONDS
  })
}

export function clearSession(cookies: Cookies, tenantSlug: string): void {
  // Same `secure` as when written: SvelteKit's default (secure unless on localhost) would make a browser
  // on a plain-http host ignore the deletion, and a refused session would bounce /account ↔ /signin.
  cookies.delete(sessionCookieName(tenantSlug), { path: '/', secure: settings.secureCookies })
}

/** The user id in a JWT (`sub`), read without verifying: the API verifies the token on every call. */
export function tokenSubject(accessToken: string | undefined): string | undefined {
  const payload = accessToken?.split('.')[1]
  if (!payload) return undefined
  try {
    const sub = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub
    return typeof sub === 'string' ? sub : undefined
  } catch {
    return undefined
  }
}
