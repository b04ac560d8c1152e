// Staff sign in with email and password (no tenant: staff accounts are platform-wide).

import { loginWithPassword, toApiError } from '@masterstage/core/client'
import { fail, redirect } from '@sveltejs/kit'
import { apiClient } from '$lib/server/api-client.ts'
import { safeRedirect } from '$lib/server/safe-redirect.ts'
import { writeSession } from '$lib/server/staff-session.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals }) => {
  if (locals.user) redirect(303, '/')
  return {}
}

export const actions: Actions = {
  default: async ({ request, cookies, url, locals, getClientAddress }) => {
    const form = await request.formData()
    const email = String(form.get('email') ?? '').trim()
    // The visitor's address, so the API's per-IP login limit counts people, not this server.
    const client = apiClient({ requestId: locals.requestId, forwardedFor: getClientAddress() })
    try {
      const { accessToken, user } = await loginWithPassword(client, email, String(form.get('password') ?? ''))
      if (user.role === 'attendee')
        return fail(403, { email, message: 'The dashboard is for staff accounts.' })
      writeSession(cookies, accessToken)
    } catch (error) {
      const apiError = toApiError(error)
      return fail(apiError.status === 429 ? 429 : 400, { email, message: apiError.message })
    }
    redirect(303, safeRedirect(url.searchParams.get('next')))
  }
}
