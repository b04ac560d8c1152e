// Attendee sign in (password, or an emailed sign-in link) and registration, all within this tenant.
// Errors come back per field from the API; the password is never echoed back into the form. Registration
// answers the same for new and existing addresses and signs nobody in: the next step is the emailed link.

import { loginWithPassword, toApiError } from '@masterstage/core/client'
import { fail, redirect } from '@sveltejs/kit'
import { logger } from '$lib/server/logger.ts'
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

/** After a registration: mails a sign-in link; its failure must not change the (identical) answer. */
async function requestSignInLink(locals: App.Locals, email: string): Promise<void> {
  try {
    await locals.api.service('magic-link-requests').create({ email })
  } catch (error) {
    logger.warn(
      {
        code: 'SIGN_IN_LINK_AFTER_REGISTRATION_FAILED',
        requestId: locals.requestId,
        status: toApiError(error).status
      },
      'sign-in link after registration not requested'
    )
  }
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
      // The API answers the same receipt for new and existing addresses (the owner of an existing one is
      // emailed a notice); signing in here would tell them apart, so both get a sign-in link by email.
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
    await requestSignInLink(locals, email)
    return { form: 'register', email, registered: true }
  }
}
