// Resolves the plugin widget components (lazy imports from the generated registry) on server and browser.
import { componentOf, pluginWidgets } from '$lib/plugins/contributions.ts'
import type { PageLoad } from './$types'

export const load: PageLoad = async ({ data, parent }) => {
  const { tenant, user } = await parent()
  const entries = user && tenant ? pluginWidgets(tenant.enabledPlugins, user.role) : []
  const widgets = await Promise.all(
    data.widgets.map(async (widget) => {
      const entry = entries.find(
        (candidate) => candidate.plugin === widget.plugin && candidate.id === widget.id
      )!
      return { ...widget, component: (await componentOf(entry.load)) as any }
    })
  )
  return { ...data, widgets }
}
