// Attendee sign in (password, or an emailed sign-in link) and registration, all within this tenant.
// Errors come back per field from the API; the password is never echoed back into the form. Registration
// answers the same for new and existing addresses and signs nobody in: the next step is the emailed link.

import { loginWithPassword, toApiError } from '@masterstage/core/client'
import { fail, redirect } from '@sveltejs/kit'
import { writeSession } from '$lib/server/session.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals }) => {
  if (locals.accessToken) redirect(303, '/account')
  return {}
}

/** Too many attempts (429) and a briefly unavailable API (503) both mean: wait, then try again. */
const BUSY_MESSAGE = 'Too many attempts or the service is busy. Please wait a minute and try again.'

function retryableStatus(status: number): 429 | 503 | undefined {
  return status === 429 || status === 503 ? status : undefined
}

function field(form: FormData, name: string): string {
  const value = form.get(name)
  return typeof value === 'string' ? value : ''
}

export const actions: Actions = {
  password: async ({ request, locals, cookies }) => {
    const form = await request.formData()
    const email = field(form, 'email').trim()
    try {
      const { accessToken } = await loginWithPassword(locals.api, email, field(form, 'password'))
      writeSession(cookies, locals.site!.slug, accessToken)
    } catch (error) {
      const apiError = toApiError(error)
      return fail(retryableStatus(apiError.status) ?? 400, {
        form: 'password',
        email,
        message: retryableStatus(apiError.status) ? BUSY_MESSAGE : apiError.message,
        fields: apiError.fields
      })
    }
    redirect(303, '/account')
  },
  magic: async ({ request, locals }) => {
    const form = await request.formData()
    const email = field(form, 'email').trim()
    try {
      await locals.api.service('magic-link-requests').create({ email })
    } catch (error) {
      const apiError = toApiError(error)
      const retryable = retryableStatus(apiError.status)
      return fail(retryable ?? 400, {
        form: 'magic',
        email,
        message: retryable ? BUSY_MESSAGE : apiError.message,
        fields: apiError.fields
      })
    }
    // Same answer whether or not the address has an account.
    return { form: 'magic', email, sent: true }
  },
  register: async ({ request, locals }) => {
    const form = await request.formData()
    const email = field(form, 'email').trim()
    const name = field(form, 'name').trim()
    const password = field(form, 'password')
    try {
      // The API answers the same receipt for new and existing addresses and mails the next step itself: the
      // link confirming this registration's password, or a notice to an existing account's owner. Signing
      // in here would tell them apart. (A separate sign-in link would compete with the confirmation one.)
      await locals.api.service('users').create({ email, name, password } as any)
    } catch (error) {
      const apiError = toApiError(error)
      return fail(retryableStatus(apiError.status) ?? 400, {
        form: 'register',
        email,
        name,
        message: retryableStatus(apiError.status) ? BUSY_MESSAGE : apiError.message,
        fields: apiError.fields
      })
    }
    return { form: 'register', email, registered: true }
  }
}
