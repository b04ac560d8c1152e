// One tenant: its storefront address, brand pack editing and plugins (enable, configure, disable).

import { toApiError } from '@masterstage/core/client'
import { error, fail } from '@sveltejs/kit'
import { brandField, brandInput, echo, mergedCopy, renameErrors } from '$lib/forms/form-values.ts'
import { isAdmin } from '$lib/nav.ts'
import { contrastErrors } from '$lib/server/contrast-errors.ts'
import { enableCheckedPlugins, pluginCatalog } from '$lib/server/plugin-forms.ts'
import { settings as appSettings } from '$lib/server/settings.ts'
import type { Actions, PageServerLoad } from './$types'

function storefrontAddress(slug: string): string {
  const url = new URL(appSettings.storefrontUrl)
  url.hostname = `${slug}.${url.hostname}`
  return url.origin
}

export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!isAdmin(locals.user?.role))
    error(403, { message: 'Only agency staff manage tenants', code: 'FORBIDDEN' })
  let tenant: any
  try {
    tenant = await locals.api.service('tenants').get(params.id)
  } catch (cause) {
    if (toApiError(cause).status === 404) error(404, { message: 'Tenant not found', code: 'NOT_FOUND' })
    throw cause
  }
  const theme = tenant.theme ?? {}
  const values: Record<string, string> = {
    name: tenant.name,
    domains: tenant.domains.join('\n'),
    logoUrl: theme.logoUrl?.startsWith('data:') ? '' : (theme.logoUrl ?? ''),
    'fonts.heading': theme.fonts?.heading ?? '',
    'fonts.body': theme.fonts?.body ?? ''
  }
  for (const [key, value] of Object.entries(theme.colors ?? {})) values[`colors.${key}`] = String(value)
  for (const [key, value] of Object.entries(theme.copy ?? {})) values[`copy.${key}`] = String(value)
  return {
    tenant: { _id: tenant._id, slug: tenant.slug, name: tenant.name },
    storefront: storefrontAddress(tenant.slug),
    values,
    keepsLogo: Boolean(theme.logoUrl?.startsWith('data:')),
    enabled: tenant.plugins.map((plugin: any) => plugin.name) as string[],
    pluginSettings: Object.fromEntries(tenant.plugins.map((plugin: any) => [plugin.name, plugin.settings])),
    catalog: await pluginCatalog(locals.api),
    created: url.searchParams.get('created') === '1'
  }
}

export const actions: Actions = {
  brand: async ({ request, locals, params }) => {
    const form = await request.formData()
    const brand = brandInput(form)
    const contrast = contrastErrors(brand.theme.colors)
    if (Object.keys(contrast).length > 0)
      return fail(400, { action: 'brand', values: echo(form), errors: contrast })
    const current = (await locals.api.service('tenants').get(params.id)) as any
    // An inlined logo (from a brand pack) is kept unless a new URL is given.
    if (!brand.theme.logoUrl && current.theme?.logoUrl) brand.theme.logoUrl = current.theme.logoUrl
    brand.theme.copy = mergedCopy(current.theme?.copy, brand.theme.copy)
    try {
      await locals.api.service('tenants').patch(params.id, brand as any)
    } catch (cause) {
      const apiError = toApiError(cause)
      return fail(apiError.status, {
        action: 'brand',
        values: echo(form),
        errors: renameErrors(apiError.fields, brandField),
        message: apiError.message
      })
    }
    return { action: 'brand', saved: true }
  },
  plugins: async ({ request, locals, params }) => {
    const form = await request.formData()
    const catalog = await pluginCatalog(locals.api)
    const checked = new Set(form.getAll('plugins').map(String))
    const current = (await locals.api.service('tenants').get(params.id)) as any
    const errors = await enableCheckedPlugins(locals.api, params.id, form, catalog)
    // Dependants first, so a plugin is never disabled under one that needs it.
    const toDisable = current.plugins
      .map((plugin: any) => plugin.name)
      .filter((name: string) => !checked.has(name))
      .reverse()
    for (const name of toDisable) {
      try {
        await (locals.api.service('tenants') as any).disablePlugin({ tenantId: params.id, plugin: name })
      } catch (cause) {
        errors[`plugin.${name}`] = toApiError(cause).message
      }
    }
    if (Object.keys(errors).length > 0)
      return fail(400, {
        action: 'plugins',
        values: echo(form),
        errors,
        message: 'Some plugin changes were refused.'
      })
    return { action: 'plugins', saved: true }
  }
}
