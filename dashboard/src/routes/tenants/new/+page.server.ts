// Onboarding an influencer tenant: brand pack, domains, plugins and their configuration. Contrast is checked
// first; then the tenant is created and each checked plugin enabled. If a plugin's settings are refused the
// tenant already exists: the form keeps every value and the next submit only retries the plugins.

import { toApiError } from '@masterstage/core/client'
import { error, fail, redirect } from '@sveltejs/kit'
import { brandField, brandInput, echo, renameErrors, text } from '$lib/forms/form-values.ts'
import { isAdmin } from '$lib/nav.ts'
import { contrastErrors } from '$lib/server/contrast-errors.ts'
import { enableCheckedPlugins, pluginCatalog } from '$lib/server/plugin-forms.ts'
import { selectTenant } from '$lib/server/staff-session.ts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals }) => {
  if (!isAdmin(locals.user?.role))
    error(403, { message: 'Only agency staff onboard tenants', code: 'FORBIDDEN' })
  const agencies =
    locals.user!.role === 'platform_admin'
      ? (((await locals.api.service('agencies').find({ query: { $limit: 100 } })) as any).data as {
          _id: string
          name: string
        }[])
      : []
  return {
    catalog: await pluginCatalog(locals.api),
    agencies: agencies.map(({ _id, name }) => ({ _id, name }))
  }
}

export const actions: Actions = {
  default: async ({ request, locals, cookies }) => {
    const form = await request.formData()
    const values = echo(form)
    const brand = brandInput(form)
    const contrast = contrastErrors(brand.theme.colors)
    if (Object.keys(contrast).length > 0) {
      return fail(400, {
        values,
        errors: contrast,
        message: 'The colors fail WCAG AA contrast.',
        tenantId: text(form, 'tenantId')
      })
    }
    const catalog = await pluginCatalog(locals.api)
    let tenantId = text(form, 'tenantId')
    if (!tenantId) {
      try {
        const created = (await locals.api.service('tenants').create({
          slug: text(form, 'slug'),
          agencyId: text(form, 'agencyId') || locals.user!.agencyId || '',
          ...brand,
          ...(brand.domains.length === 0 && { domains: undefined })
        } as any)) as { _id: string }
        tenantId = created._id
      } catch (cause) {
        const apiError = toApiError(cause)
        const errors = renameErrors(apiError.fields, brandField)
        if (apiError.status === 409) errors.slug ??= apiError.message
        return fail(apiError.status === 409 ? 409 : 400, {
          values,
          errors,
          message: apiError.message,
          tenantId: ''
        })
      }
    } else if (!locals.tenants.some((tenant) => tenant._id === tenantId)) {
      // Retry after a plugin error: the tenant from the first submit (the API decides what we may see).
      const visible = await locals.api
        .service('tenants')
        .get(tenantId)
        .catch(() => null)
      if (!visible)
        return fail(404, { values, errors: {}, message: 'That tenant no longer exists.', tenantId: '' })
    }
    const pluginErrors = await enableCheckedPlugins(locals.api, tenantId, form, catalog)
    if (Object.keys(pluginErrors).length > 0) {
      return fail(400, {
        values,
        errors: pluginErrors,
        message: 'The tenant was created, but some plugin settings were refused. Fix them and save again.',
        tenantId
      })
    }
    selectTenant(cookies, tenantId)
    redirect(303, `/tenants/${tenantId}?created=1`)
  }
}
