// The attendee's session: the API's JWT in an httpOnly cookie named per tenant, so signing in on one
// brand's storefront never signs you in on another's (even on the shared localhost fallback host).
import type { Cookies } from '@sveltejs/kit'
import { settings } from './settings.ts'

const MAX_AGE_SECONDS = 60 * 60 * 24

export function sessionCookieName(tenantSlug: string): string {
  return `ms_session_${tenantSlug.replaceAll('-', '_')}`
}

export function readSession(cookies: Cookies, tenantSlug: string): string | undefined {
  return cookies.get(sessionCookieName(tenantSlug)) || undefined
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
  cookies.delete(sessionCookieName(tenantSlug), { path: '/' })
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
