// Resolves the plugin page's component on server and browser.
import { componentOf, pluginPage } from '$lib/plugins/contributions.ts'
import type { PageLoad } from './$types'

export const load: PageLoad = async ({ data, params, parent }) => {
  const { tenant, user } = await parent()
  const page = pluginPage(params.path, tenant?.enabledPlugins ?? [], user!.role)!
  return { ...data, component: (await componentOf(page.load)) as any }
}
