// Dashboard pages contributed by plugins (/p/<path>): only for the selected tenant's enabled plugins and the
// roles the plugin declared; anything else is a 404.

import { toApiError } from '@masterstage/core/client'
import { error } from '@sveltejs/kit'
import { loadContribution, pluginPage } from '$lib/plugins/contributions.ts'
import { uiContext } from '$lib/plugins/ui-context.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const { locals, params } = event
  const enabled = locals.tenant?.plugins.map((plugin) => plugin.name) ?? []
  const page = locals.user ? pluginPage(params.path, enabled, locals.user.role) : null
  if (!page) error(404, { message: 'Not found', code: 'NOT_FOUND' })
  try {
    return {
      plugin: page.plugin,
      title: page.title,
      pageData: await loadContribution(page.load, uiContext(event))
    }
  } catch (cause) {
    if (toApiError(cause).status === 404) error(404, { message: 'Not found', code: 'NOT_FOUND' })
    throw cause
  }
}
