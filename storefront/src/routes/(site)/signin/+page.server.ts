// Attendee sign in (password, or an emailed sign-in link) and registration, all within this tenant.
// Errors come back per field from the API; the password is never echoed back into the form.

import { loginWithPassword, toApiError } from '@masterstage/core/client'
import { fail, redirect } from '@sveltejs/kit'
import { writeSession } from '$lib/server/session.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals }) => {
  if (locals.accessToken) redirect(303, '/account')
  return {}
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
      return fail(apiError.status === 429 ? 429 : 400, {
        form: 'password',
        email,
        message: apiError.message,
        fields: apiError.fields
      })
    }
    redirect(303, '/account')
  },
  magic: async ({ request, locals }) => {
    const form = await request.formData()
    const email = field(form, 'email').trim()
    try {
      await (locals.api as any).service('magic-link-requests').create({ email })
    } catch (error) {
      const apiError = toApiError(error)
      const message =
        apiError.status === 404
          ? 'Sign-in links are not available on this storefront yet. Use your password.'
          : apiError.message
      return fail(apiError.status === 404 ? 501 : apiError.status, {
        form: 'magic',
        email,
        message,
        fields: apiError.fields
      })
    }
    // Same answer whether or not the address has an account.
    return { form: 'magic', email, sent: true }
  },
  register: async ({ request, locals, cookies }) => {
    const form = await request.formData()
    const email = field(form, 'email').trim()
    const name = field(form, 'name').trim()
    const password = field(form, 'password')
    try {
      await locals.api.service('users').create({ email, name, password } as any)
      const { accessToken } = await loginWithPassword(locals.api, email, password)
      writeSession(cookies, locals.site!.slug, accessToken)
    } catch (error) {
      const apiError = toApiError(error)
      return fail(apiError.status === 429 ? 429 : 400, {
        form: 'register',
        email,
        name,
        message: apiError.message,
        fields: apiError.fields
      })
    }
    redirect(303, '/account')
  }
}
