// Team: staff of the agency (filter by role, paged by the API), inviting hosts and sales reps (account
// without password + an emailed link to set one, which can be sent again), and assigning reps to tenants.

import { type ApiError, type MasterstageClient, toApiError } from '@masterstage/core/client'
import { error, fail } from '@sveltejs/kit'
import { echo, text } from '$lib/forms/form-values.ts'
import { isAdmin } from '$lib/nav.ts'
import { agencyClient } from '$lib/server/agency-client.ts'
import type { Actions, PageServerLoad } from './$types'

const PAGE_SIZE = 20
const INVITABLE = ['host', 'sales_rep'] as const

export const load: PageServerLoad = async ({ locals, url }) => {
  if (!isAdmin(locals.user?.role))
    error(403, { message: 'Only agency staff manage the team', code: 'FORBIDDEN' })
  const role = url.searchParams.get('role') ?? ''
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1)
  const result = (await agencyClient(locals)
    .service('users')
    .find({ query: { ...(role && { role }), $limit: PAGE_SIZE, $skip: (page - 1) * PAGE_SIZE } })) as any
  return {
    users: result.data
      .filter((user: any) => user.role !== 'attendee')
      .map((user: any) => ({
        _id: user._id,
        email: user.email,
        name: user.name,
        role: user.role,
        tenantIds: user.tenantIds ?? []
      })),
    total: result.total as number,
    page,
    pages: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
    role,
    tenants: locals.tenants.map(({ _id, name, agencyId }) => ({ _id, name, agencyId }))
  }
}

export const actions: Actions = {
  invite: async ({ request, locals, getClientAddress }) => {
    const form = await request.formData()
    const role = text(form, 'role')
    const tenantIds = form.getAll('tenantIds').map(String)
    const errors: Record<string, string> = {}
    if (!(INVITABLE as readonly string[]).includes(role)) errors.role = 'must be host or sales rep'
    if (tenantIds.length === 0) errors.tenantIds = 'choose at least one tenant'
    if (Object.keys(errors).length > 0) return fail(400, { action: 'invite', values: echo(form), errors })
    const agencyId =
      locals.user!.agencyId ?? locals.tenants.find((tenant) => tenant._id === tenantIds[0])?.agencyId
    // The admin's address: the API limits invitation emails per IP, which must not be this server's.
    const api = agencyClient(locals, getClientAddress())
    try {
      await (api.service('users') as any).createStaff({
        email: text(form, 'email'),
        name: text(form, 'name'),
        role,
        agencyId,
        tenantIds
      })
    } catch (cause) {
      const apiError = toApiError(cause)
      return fail(apiError.status, {
        action: 'invite',
        values: echo(form),
        errors: apiError.fields,
        message: apiError.message
      })
    }
    // The invitation is the emailed set-password link. The account exists now: if the email is refused
    // (e.g. rate limited), the admin is told and can send it again (`resend`) instead of re-inviting.
    const sent = await sendInvitation(api, text(form, 'email'))
    if (sent !== true)
      return fail(sent.status, {
        action: 'invite',
        values: {},
        errors: {},
        unsent: text(form, 'email'),
        message: `The account of ${text(form, 'email')} was created, but the invitation email was not sent: ${sent.message}`
      })
    return { action: 'invite', invited: text(form, 'email') }
  },
  resend: async ({ request, locals, getClientAddress }) => {
    const email = text(await request.formData(), 'email')
    const sent = await sendInvitation(agencyClient(locals, getClientAddress()), email)
    if (sent !== true)
      return fail(sent.status, {
        action: 'invite',
        values: {},
        errors: {},
        unsent: email,
        message: `The invitation email to ${email} was not sent: ${sent.message}`
      })
    return { action: 'invite', invited: email }
  },
  assign: async ({ request, locals }) => {
    const form = await request.formData()
    const userId = text(form, 'userId')
    // A platform admin has no agency: the API then takes the agency of the chosen tenants.
    const agencyId = locals.user!.agencyId ?? text(form, 'agencyId')
    try {
      await (agencyClient(locals).service('users') as any).setAccess({
        userId,
        role: 'sales_rep',
        ...(agencyId && { agencyId }),
        tenantIds: form.getAll('tenantIds').map(String)
      })
    } catch (cause) {
      const apiError = toApiError(cause)
      return fail(apiError.status, {
        action: 'assign',
        userId,
        message: apiError.message,
        errors: apiError.fields
      })
    }
    return { action: 'assign', userId, saved: true }
  }
}

/** Emails the set-password link; true, or why the API refused (the form shows it). */
async function sendInvitation(api: MasterstageClient, email: string): Promise<true | ApiError> {
  try {
    await (api.service as any)('password-reset-requests').create({ email })
    return true
  } catch (cause) {
    return toApiError(cause)
  }
}
