// Pages contributed by plugins (e.g. /masterclasses/<id>): matched against the registry for the tenant's
// enabled plugins only, so a disabled plugin's pages answer 404.
import { error } from '@sveltejs/kit'
import { loadContribution, matchPage } from '$lib/plugins/contributions.ts'
import { rethrowAsPageError } from '$lib/plugins/load-errors.ts'
import { uiContext } from '$lib/plugins/ui-context.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const site = event.locals.site
  const match = site ? matchPage(event.params.path, site.enabledPlugins) : null
  if (!match) error(404, { message: 'Not found', code: 'NOT_FOUND' })
  let data: unknown
  try {
    data = await loadContribution(match.load, uiContext(event, match.params))
  } catch (cause) {
    rethrowAsPageError(cause)
  }
  const titled = (data ?? {}) as { title?: string; description?: string }
  return {
    plugin: match.plugin,
    title: titled.title ?? match.title,
    description: titled.description,
    pageData: data
  }
}
