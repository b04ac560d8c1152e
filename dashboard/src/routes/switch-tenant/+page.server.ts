// The tenant switcher's target: accepts only a tenant the API listed for this user, then goes back.
import { error, redirect } from '@sveltejs/kit'
import { safeRedirect } from '$lib/server/safe-redirect.ts'
import { selectTenant } from '$lib/server/staff-session.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async () => redirect(303, '/')

export const actions: Actions = {
  default: async ({ request, cookies, locals }) => {
    const form = await request.formData()
    const tenantId = String(form.get('tenant') ?? '')
    if (!locals.tenants.some((tenant) => tenant._id === tenantId)) {
      error(403, { message: 'You have no access to this tenant', code: 'FORBIDDEN' })
    }
    selectTenant(cookies, tenantId)
    const next = safeRedirect(form.get('next'))
    // A plugin page of the previous tenant may not exist (or mean something else) in the new one.
    redirect(303, next.startsWith('/p/') ? '/' : next)
  }
}
