// Every dashboard request: who is signed in (from the session cookie, checked with the API), which
// tenants they may access (asked from the API), the selected tenant, and a REST client for both.
import { randomUUID } from 'node:crypto'
import type { Handle, HandleServerError } from '@sveltejs/kit'
import { apiClient } from '$lib/server/api-client.ts'
import { logger } from '$lib/server/logger.ts'
import { clearSession, loadStaffContext, SESSION_COOKIE, TENANT_COOKIE } from '$lib/server/staff-session.ts'

export const handle: Handle = async ({ event, resolve }) => {
  const requestId = event.request.headers.get('x-request-id')?.slice(0, 64) || randomUUID()
  event.locals.requestId = requestId
  event.locals.tenants = []
  const accessToken = event.cookies.get(SESSION_COOKIE)
  if (accessToken) {
    const staff = await loadStaffContext(accessToken, requestId)
    if (staff) {
      event.locals.accessToken = accessToken
      event.locals.user = staff.user
      event.locals.tenants = staff.tenants
      const selected = event.cookies.get(TENANT_COOKIE)
      event.locals.tenant = staff.tenants.find((tenant) => tenant._id === selected) ?? staff.tenants[0]
    } else {
      clearSession(event.cookies)
    }
  }
  event.locals.api = apiClient({
    accessToken: event.locals.accessToken,
    tenant: event.locals.tenant?._id,
    requestId
  })
  return resolve(event)
}

export const handleError: HandleServerError = ({ error, event, status }) => {
  if (status === 404) return { message: 'Not found', code: 'NOT_FOUND' }
  logger.error(
    {
      requestId: event.locals.requestId,
      path: event.url.pathname,
      err: { message: (error as Error)?.message }
    },
    'dashboard request failed'
  )
  return { message: 'Something went wrong on our side. Please try again.', code: 'INTERNAL' }
}
