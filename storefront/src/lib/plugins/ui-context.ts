// Builds the context a plugin contribution's `load` gets from a storefront request: never the visit's source
// (landing sections get it as their `source` prop, see +page.server.ts).

import type { UiLoadContext } from '@masterstage/core/client'
import type { RequestEvent } from '@sveltejs/kit'

export function uiContext(
  event: Pick<RequestEvent, 'locals' | 'url'>,
  params: Record<string, string> = {}
): UiLoadContext {
  const site = event.locals.site!
  return {
    client: event.locals.api,
    tenant: { id: site.id, slug: site.slug, name: site.name, enabledPlugins: site.enabledPlugins },
    params,
    url: event.url
  }
}
