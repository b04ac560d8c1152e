// Every storefront request: find the tenant from the Host (or the localhost fallback), load its public
// profile, and give the request a REST client carrying that tenant and the attendee's session token.
import { randomUUID } from 'node:crypto'
import { createRestClient } from '@masterstage/core/client'
import type { Handle, HandleServerError, RequestEvent, ServerInit } from '@sveltejs/kit'
import { sequence } from '@sveltejs/kit/hooks'
import { attributionHandle } from '$lib/server/attribution/handle.ts'
import { formOriginHandle, ownOrigin } from '$lib/server/form-origin.ts'
import { logger } from '$lib/server/logger.ts'
import { readSession } from '$lib/server/session.ts'
import { settings } from '$lib/server/settings.ts'
import { siteFor } from '$lib/server/site-cache.ts'
import { TENANT_COOKIE, tenantReferenceOf } from '$lib/server/tenant-host.ts'
import { followTenantChanges } from '$lib/server/tenant-invalidations.ts'
import { htmlLang, withHtmlLang } from '$lib/theme/html-lang.ts'
import { clientMethods } from '$registry'

/** How long the server waits at start to be subscribed to tenant changes before it serves anyway. */
const FOLLOW_TENANTS_WAIT_MS = 3_000

// Subscribed before the first request: a page cached before the subscription could otherwise outlive a
// tenant edit made in between. If Redis is slow or down, serve anyway (SITE_CACHE_MS bounds staleness).
export const init: ServerInit = async () => {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    followTenantChanges(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FOLLOW_TENANTS_WAIT_MS)
    })
  ])
  clearTimeout(timer)
}

/** The visitor's address (adapter-node: the socket, or ADDRESS_HEADER behind a proxy). */
function clientAddress(event: RequestEvent): string | undefined {
  try {
    return event.getClientAddress()
  } catch {
    return undefined
  }
}

const tenantHandle: Handle = async ({ event, resolve }) => {
  const requestId = event.request.headers.get('x-request-id')?.slice(0, 64) || randomUUID()
  event.locals.requestId = requestId
  const found = tenantReferenceOf(
    event.request.headers.get('host'),
    event.url,
    event.cookies.get(TENANT_COOKIE),
    settings.baseDomain
  )
  event.locals.tenantReference = found?.reference ?? null
  event.locals.site = found ? await siteFor(found.reference, requestId) : null
  const site = event.locals.site
  if (site && found?.fromQuery) {
    event.cookies.set(TENANT_COOKIE, site.slug, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: settings.secureCookies
    })
  }
  event.locals.accessToken = site ? readSession(event.cookies, site.slug) : undefined
  event.locals.api = createRestClient({
    apiUrl: settings.apiUrl,
    tenant: site?.id ?? found?.reference,
    accessToken: event.locals.accessToken,
    requestId,
    forwardedFor: clientAddress(event),
    // Plugin services' custom methods (from the manifests), so plugin storefront code can call them.
    customMethods: clientMethods
  })
  const lang = htmlLang(site?.theme?.copy?.locale)
  return resolve(event, { transformPageChunk: ({ html }) => withHtmlLang(html, lang) })
}

// Cross-site form posts are refused before any tenant lookup or action runs.
const formOrigin = formOriginHandle({
  siteProtocol: settings.siteProtocol,
  onRefused: (details) => logger.warn({ code: 'CROSS_SITE_FORM', ...details }, 'cross-site form refused')
})

// After the tenant is known: unknown hosts record no touch. Secure when visitors reach us over https.
const attribution = attributionHandle({
  secure: (url) => settings.secureCookies || ownOrigin(url, settings.siteProtocol).startsWith('https:')
})

export const handle = sequence(formOrigin, tenantHandle, attribution)

export const handleError: HandleServerError = ({ error, event, status }) => {
  if (status === 404) return { message: 'Not found', code: 'NOT_FOUND' }
  logger.error(
    {
      requestId: event.locals.requestId,
      path: event.url.pathname,
      err: { message: (error as Error)?.message }
    },
    'storefront request failed'
  )
  return { message: 'Something went wrong on our side. Please try again.', code: 'INTERNAL' }
}
