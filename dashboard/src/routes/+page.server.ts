// Home: the selected tenant's plugin widgets (each with its own server-side data) and, for agency
// staff, an agency-wide chart of their tenants.

import { isAdmin } from '$lib/nav.ts'
import { loadContribution, pluginWidgets } from '$lib/plugins/contributions.ts'
import { uiContext } from '$lib/plugins/ui-context.ts'
import { logger } from '$lib/server/logger.ts'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const { locals } = event
  const user = locals.user!
  const tenant = locals.tenant
  const widgets = tenant
    ? await Promise.all(
        pluginWidgets(
          tenant.plugins.map((plugin) => plugin.name),
          user.role
        ).map(async (widget) => {
          try {
            return {
              plugin: widget.plugin,
              id: widget.id,
              title: widget.title,
              data: await loadContribution(widget.load, uiContext(event))
            }
          } catch (error) {
            logger.error(
              {
                code: 'PLUGIN_WIDGET_FAILED',
                plugin: widget.plugin,
                err: { message: (error as Error).message }
              },
              'dashboard widget failed to load'
            )
            return { plugin: widget.plugin, id: widget.id, title: widget.title, data: null }
          }
        })
      )
    : []
  const overview = isAdmin(user.role)
    ? { labels: locals.tenants.map((t) => t.name), values: locals.tenants.map((t) => t.plugins.length) }
    : null
  return { widgets, overview, tenantCount: locals.tenants.length }
}
