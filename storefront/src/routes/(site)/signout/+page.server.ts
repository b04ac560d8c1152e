// Signs the attendee out of this storefront (drops the session cookie).
import { redirect } from '@sveltejs/kit'
import { clearSession } from '$lib/server/session.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async () => redirect(303, '/')

export const actions: Actions = {
  default: async ({ cookies, locals }) => {
    if (locals.site) clearSession(cookies, locals.site.slug)
    redirect(303, '/')
  }
}
