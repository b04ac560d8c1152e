// Landing page data: the tenant's copy and, in the order the tenant configured, the sections contributed by
// the plugins it enabled, each with the data its own server-side load returned.
import { enabledSections, loadContribution } from '$lib/plugins/contributions.ts'
import { uiContext } from '$lib/plugins/ui-context.ts'
import { logger } from '$lib/server/logger.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const site = event.locals.site!
  const context = uiContext(event)
  const sections = await Promise.all(
    enabledSections(site.enabledPlugins).map(async (section) => {
      try {
        return {
          plugin: section.plugin,
          id: section.id,
          data: await loadContribution(section.load, context),
          failed: false
        }
      } catch (error) {
        // One broken plugin section must not take the landing page down.
        logger.error(
          {
            code: 'PLUGIN_SECTION_FAILED',
            tenant: site.slug,
            plugin: section.plugin,
            err: { message: (error as Error).message }
          },
          'storefront section failed to load'
        )
        return { plugin: section.plugin, id: section.id, data: null, failed: true }
      }
    })
  )
  return { sections: sections.filter((section) => !section.failed) }
}
