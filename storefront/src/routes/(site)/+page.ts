// Resolves the plugin section components (lazy imports from the generated registry) on server and browser.
import { componentOf, enabledSections } from '$lib/plugins/contributions.ts'
import type { PageLoad } from './$types'

export const load: PageLoad = async ({ data, parent }) => {
  const { site } = await parent()
  const entries = enabledSections(site.enabledPlugins)
  const sections = await Promise.all(
    data.sections.map(async (section) => {
      const entry = entries.find(
        (candidate) => candidate.plugin === section.plugin && candidate.id === section.id
      )!
      return { ...section, component: (await componentOf(entry.load)) as any }
    })
  )
  return { ...data, sections }
}
