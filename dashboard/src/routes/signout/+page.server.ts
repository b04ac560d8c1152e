// Signs the staff member out (drops the session and tenant cookies).
import { redirect } from '@sveltejs/kit'
import { clearSession } from '$lib/server/staff-session.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async () => redirect(303, '/')

export const actions: Actions = {
  default: async ({ cookies }) => {
    clearSession(cookies)
    redirect(303, '/signin')
  }
}
