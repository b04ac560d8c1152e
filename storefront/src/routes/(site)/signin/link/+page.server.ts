// Landing of an emailed sign-in link: exchanges the single-use token for a session (`magic-link` strategy).

import { toApiError } from '@masterstage/core/client'
import { error, redirect } from '@sveltejs/kit'
import { writeSession } from '$lib/server/session.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ url, locals, cookies }) => {
  const token = url.searchParams.get('token')
  if (!token) error(400, { message: 'This sign-in link is incomplete.', code: 'VALIDATION_FAILED' })
  try {
    const result = await (locals.api as any)
      .service('authentication')
      .create({ strategy: 'magic-link', token })
    writeSession(cookies, locals.site!.slug, result.accessToken)
  } catch (cause) {
    const apiError = toApiError(cause)
    error(apiError.status === 429 ? 429 : 400, {
      message: 'This sign-in link has expired or was already used.',
      code: apiError.code
    })
  }
  redirect(303, '/account')
}
