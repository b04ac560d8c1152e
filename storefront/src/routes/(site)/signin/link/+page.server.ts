// Landing of an emailed sign-in link. Opening it only shows a "Sign in" button; the single-use token is
// redeemed (`magic-link` strategy) when the visitor presses it, so mail scanners that prefetch links in
// emails cannot burn it. Works without JavaScript. The button's POST, like every storefront form, is
// refused from other origins (hooks: form-origin.ts), so another site cannot sign a visitor in.

import { toApiError } from '@masterstage/core/client'
import { error, fail, redirect } from '@sveltejs/kit'
import { writeSession } from '$lib/server/session.ts'
import type { Actions, PageServerLoad } from './$types'

const INCOMPLETE =
  'This sign-in link is incomplete. Copy the whole link from the email, or ask for a new one.'

export const load: PageServerLoad = async ({ url, setHeaders }) => {
  // The address carries the token: no request to another site may send it on as a referrer. Not
  // `no-referrer`: with it browsers send `Origin: null` on the button's own POST, which the cross-site
  // form check (rightly) refuses; `same-origin` keeps the Origin for this site only.
  setHeaders({ 'referrer-policy': 'same-origin' })
  const token = url.searchParams.get('token')
  if (!token) error(400, { message: INCOMPLETE, code: 'VALIDATION_FAILED' })
  // Shown even to a visitor with a session: it may be stale (expired, revoked), and sending them to
  // /account would lose the link; pressing the button replaces whatever session the cookie holds.
  return { token }
}

export const actions: Actions = {
  default: async ({ request, locals, cookies }) => {
    const token = (await request.formData()).get('token')
    if (typeof token !== 'string' || !token) return fail(400, { message: INCOMPLETE })
    try {
      const result = await locals.api
        .service('authentication' as any)
        .create({ strategy: 'magic-link', token })
      writeSession(cookies, locals.site!.slug, (result as { accessToken: string }).accessToken)
    } catch (cause) {
      const apiError = toApiError(cause)
      const busy = apiError.status === 429 || apiError.status === 503
      return fail(busy ? apiError.status : 400, {
        message: busy
          ? 'Too many attempts or the service is busy. Please wait a minute and try again.'
          : 'This sign-in link has expired or was already used. Ask for a new one below.'
      })
    }
    redirect(303, '/account')
  }
}
