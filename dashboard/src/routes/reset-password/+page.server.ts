// Setting a password from an emailed link (a staff invitation or a reset), and asking for such a link.
// Public: the visitor has no session yet. Calls carry the visitor's address for the API's per-IP limits.

import { toApiError } from '@masterstage/core/client'
import { fail, redirect } from '@sveltejs/kit'
import { apiClient } from '$lib/server/api-client.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ url }) => ({ token: url.searchParams.get('token') ?? '' })

export const actions: Actions = {
  confirm: async ({ request, locals, getClientAddress }) => {
    const form = await request.formData()
    const token = String(form.get('token') ?? '')
    const client = apiClient({ requestId: locals.requestId, forwardedFor: getClientAddress() })
    try {
      await (client as any)
        .service('password-resets')
        .create({ token, password: String(form.get('password') ?? '') })
    } catch (error) {
      const apiError = toApiError(error)
      // The action's URL (`?/confirm`) no longer carries the token: hand it back for the next try.
      return fail(apiError.status, {
        step: 'confirm',
        token,
        message: apiError.message,
        fields: apiError.fields
      })
    }
    redirect(303, '/signin?password=set')
  },
  request: async ({ request, locals, getClientAddress }) => {
    const email = String((await request.formData()).get('email') ?? '').trim()
    const client = apiClient({ requestId: locals.requestId, forwardedFor: getClientAddress() })
    try {
      await (client as any).service('password-reset-requests').create({ email })
    } catch (error) {
      const apiError = toApiError(error)
      return fail(apiError.status, {
        step: 'request',
        email,
        message: apiError.message,
        fields: apiError.fields
      })
    }
    return { step: 'request', sent: true }
  }
}
