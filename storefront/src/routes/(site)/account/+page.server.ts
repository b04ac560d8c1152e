// "My account": the signed-in attendee and the slots plugins fill (my masterclasses, invoices, calls).

import { toApiError } from '@masterstage/core/client'
import { redirect } from '@sveltejs/kit'
import { enabledAccountSlots, loadContribution } from '$lib/plugins/contributions.ts'
import { uiContext } from '$lib/plugins/ui-context.ts'
import { clearSession, tokenSubject } from '$lib/server/session.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const { locals, cookies } = event
  const userId = tokenSubject(locals.accessToken)
  if (!userId) {
    // The hook already drops an unreadable session; cleared here too, so /signin can never bounce back.
    if (locals.accessToken) clearSession(cookies, locals.site!.slug)
    redirect(303, '/signin')
  }
  let user: { _id: string; email: string; name?: string; role: string }
  try {
    user = (await locals.api.service('users').get(userId)) as any
  } catch (error) {
    // An expired or revoked token: sign out here too.
    if (toApiError(error).status === 401 || toApiError(error).status === 404) {
      clearSession(cookies, locals.site!.slug)
      redirect(303, '/signin')
    }
    throw error
  }
  const context = { ...uiContext(event), user: { _id: user._id, email: user.email, role: user.role as any } }
  const slots = await Promise.all(
    enabledAccountSlots(locals.site!.enabledPlugins).map(async (slot) => ({
      plugin: slot.plugin,
      id: slot.id,
      title: slot.title,
      data: await loadContribution(slot.load, context).catch(() => null)
    }))
  )
  return { user: { name: user.name ?? '', email: user.email }, slots }
}
