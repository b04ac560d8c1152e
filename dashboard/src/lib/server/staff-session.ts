// The staff session: the API's JWT in an httpOnly cookie, the selected tenant in another, and loading who
// the user is and which tenants they may access from the API on each request.

import type { Role } from '@masterstage/core/auth/roles.ts'
import { type MasterstageClient, toApiError } from '@masterstage/core/client'
import type { Cookies } from '@sveltejs/kit'
import { apiClient } from './api-client.ts'
import { settings } from './settings.ts'

export const SESSION_COOKIE = 'ms_staff_session'
export const TENANT_COOKIE = 'ms_staff_tenant'

export interface StaffUser {
  _id: string
  email: string
  name?: string
  role: Role
  agencyId?: string
  tenantIds: string[]
}

export interface TenantSummary {
  _id: string
  slug: string
  name: string
  agencyId: string
  domains: string[]
  plugins: { name: string }[]
}

export function writeSession(cookies: Cookies, accessToken: string): void {
  cookies.set(SESSION_COOKIE, accessToken, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: settings.secureCookies,
    maxAge: 60 * 60 * 12
  })
}

export function clearSession(cookies: Cookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' })
  cookies.delete(TENANT_COOKIE, { path: '/' })
}

export function selectTenant(cookies: Cookies, tenantId: string): void {
  cookies.set(TENANT_COOKIE, tenantId, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: settings.secureCookies
  })
}

function subjectOf(accessToken: string): string | undefined {
  try {
    const sub = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')).sub
    return typeof sub === 'string' ? sub : undefined
  } catch {
    return undefined
  }
}

export interface StaffContext {
  user: StaffUser
  tenants: TenantSummary[]
}

/** Who the token belongs to and every tenant they may access (paged through); undefined if the token is dead. */
export async function loadStaffContext(
  accessToken: string,
  requestId: string
): Promise<StaffContext | undefined> {
  const userId = subjectOf(accessToken)
  if (!userId) return undefined
  const client = apiClient({ accessToken, requestId })
  try {
    const user = (await client.service('users').get(userId)) as unknown as StaffUser
    if (user.role === 'attendee') return undefined
    return { user, tenants: await allTenants(client) }
  } catch (error) {
    const status = toApiError(error).status
    if (status === 401 || status === 403 || status === 404) return undefined
    throw error
  }
}

async function allTenants(client: MasterstageClient): Promise<TenantSummary[]> {
  const tenants: TenantSummary[] = []
  for (let skip = 0; ; ) {
    const page = (await client.service('tenants').find({ query: { $limit: 100, $skip: skip } })) as any
    tenants.push(...page.data)
    skip += page.data.length
    if (page.data.length === 0 || skip >= page.total) return tenants
  }
}
