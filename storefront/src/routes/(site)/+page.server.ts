// Landing page data: the tenant's copy and, in the order the tenant configured, the sections contributed by
// the plugins it enabled, each with the data its own server-side load returned, plus the visit's source
// that every section gets as a prop; and the form actions of those sections (plain POSTs, so they work
// without JavaScript).
import type { UiLoadContext, UiSectionActionResult } from '@masterstage/core/client'
import { error, fail, type RequestEvent, redirect } from '@sveltejs/kit'
import { enabledSections, loadContribution } from '$lib/plugins/contributions.ts'
import { failureStatus, safeRedirect, sectionActionFor } from '$lib/plugins/section-actions.ts'
import { uiContext } from '$lib/plugins/ui-context.ts'
import { landingSource } from '$lib/server/attribution/request-attribution.ts'
import { untaggedUrl } from '$lib/server/attribution/touch.ts'
import { logger } from '$lib/server/logger.ts'
import { anonymousSectionData } from '$lib/server/site-cache.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const site = event.locals.site!
  // Section data never depends on where the visit came from (no source tags in the URL), so visitors who
  // are not signed in share it for a short burst; the source is this request's own, passed at render time:
  // the attribution decided by the hook (what the cookie keeps), never the URL's tags read again.
  const context = { ...uiContext(event), url: untaggedUrl(event.url) }
  const source = landingSource(event.locals.attribution)
  const anonymous = !event.locals.accessToken
  const sections = await Promise.all(
    enabledSections(site.enabledPlugins).map(async (section) => {
      const load = (sectionContext: UiLoadContext) => loadContribution(section.load, sectionContext)
      try {
        return {
          plugin: section.plugin,
          id: section.id,
          data: anonymous ? await anonymousSectionData(site, section, context, load) : await load(context),
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
  return { sections: sections.filter((section) => !section.failed), source }
}

/** What the page gets back after a section's form was posted: the result, tagged with its section. */
export interface SectionFormState {
  section: string
  result: UiSectionActionResult
}

async function runSectionAction(name: string, event: RequestEvent) {
  const site = event.locals.site
  const handler = site ? await sectionActionFor(name, site.enabledPlugins) : null
  if (!handler) error(404, { message: 'Not found', code: 'NOT_FOUND' })
  const result = await handler.action({ ...uiContext(event), form: await event.request.formData() })
  const target = safeRedirect(result)
  if (target && result.status >= 300 && result.status < 400) redirect(303, target)
  const state: SectionFormState = { section: handler.key, result }
  if (result.status >= 400) return fail(failureStatus(result.status), state)
  return state
}

/**
 * Every named action (`?/<plugin>-<name>`) resolves at request time against the registry and the tenant's
 * enabled plugins: the set of plugin forms is not known when this module is written.
 */
export const actions = new Proxy(
  {} as Record<string, (event: RequestEvent) => ReturnType<typeof runSectionAction>>,
  {
    get: (_target, name) =>
      typeof name === 'string' && name !== 'default'
        ? (event: RequestEvent) => runSectionAction(name, event)
        : undefined
  }
)
