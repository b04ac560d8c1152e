// Resolves the matched plugin page's component on server and browser.
import { componentOf, matchPage } from '$lib/plugins/contributions.ts'
import type { PageLoad } from './$types'

export const load: PageLoad = async ({ data, params, parent }) => {
  const { site } = await parent()
  const match = matchPage(params.path, site.enabledPlugins)!
  return { ...data, component: (await componentOf(match.load)) as any }
}
