// Builds the context a plugin contribution's `load` gets from a dashboard request (selected tenant, user).

import type { UiLoadContext } from '@masterstage/core/client'
import type { RequestEvent } from '@sveltejs/kit'

export function uiContext(
  event: Pick<RequestEvent, 'locals' | 'url'>,
  params: Record<string, string> = {}
): UiLoadContext {
  const { tenant, user } = event.locals
  return {
    client: event.locals.api,
    tenant: {
      id: tenant!._id,
      slug: tenant!.slug,
      name: tenant!.name,
      enabledPlugins: tenant!.plugins.map((plugin) => plugin.name)
    },
    user: user && { _id: user._id, email: user.email, role: user.role },
    params,
    url: event.url
  }
}
