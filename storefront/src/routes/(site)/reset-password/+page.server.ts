// Password reset for attendees: request an emailed token, then choose a new password with it.

import { toApiError } from '@masterstage/core/client'
import { fail } from '@sveltejs/kit'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ url }) => ({ token: url.searchParams.get('token') ?? '' })

export const actions: Actions = {
  request: async ({ request, locals }) => {
    const email = String((await request.formData()).get('email') ?? '').trim()
    try {
      await (locals.api as any).service('password-reset-requests').create({ email })
    } catch (error) {
      const apiError = toApiError(error)
      return fail(apiError.status, { step: 'request', message: apiError.message, fields: apiError.fields })
    }
    return { step: 'request', sent: true }
  },
  confirm: async ({ request, locals }) => {
    const form = await request.formData()
    try {
      await (locals.api as any)
        .service('password-resets')
        .create({ token: String(form.get('token') ?? ''), password: String(form.get('password') ?? '') })
    } catch (error) {
      const apiError = toApiError(error)
      return fail(apiError.status, { step: 'confirm', message: apiError.message, fields: apiError.fields })
    }
    return { step: 'confirm', done: true }
  }
}
