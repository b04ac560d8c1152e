// Every dashboard page: sign-in required (except signing in and setting a password from an emailed link), role-aware navigation, the tenant switcher's
// list (exactly what the API returned) and what the browser needs for the live connection.
import { redirect } from '@sveltejs/kit'
import { coreNav } from '$lib/nav.ts'
import { pluginNav } from '$lib/plugins/contributions.ts'
import { settings } from '$lib/server/settings.ts'
import type { LayoutServerLoad } from './$types'

const PUBLIC_PATHS = new Set(['/signin', '/reset-password'])

export const load: LayoutServerLoad = async ({ locals, url }) => {
  const { user, tenant } = locals
  if (!user) {
    if (!PUBLIC_PATHS.has(url.pathname))
      redirect(303, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`)
    return { user: null, tenants: [], tenant: null, nav: [], live: null }
  }
  const enabled = tenant?.plugins.map((plugin) => plugin.name) ?? []
  return {
    user: { _id: user._id, email: user.email, name: user.name ?? '', role: user.role },
    tenants: locals.tenants.map(({ _id, slug, name }) => ({ _id, slug, name })),
    tenant: tenant
      ? { _id: tenant._id, slug: tenant.slug, name: tenant.name, enabledPlugins: enabled }
      : null,
    nav: [...coreNav(user.role), ...pluginNav(enabled, user.role)],
    // The browser opens its own Socket.io connection with the same token (see README: trade-off).
    live: tenant
      ? { apiUrl: settings.publicApiUrl, accessToken: locals.accessToken!, tenant: tenant._id }
      : null,
    storefrontUrl: settings.storefrontUrl
  }
}
