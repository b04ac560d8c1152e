// App-wide types of the storefront: what hooks.server.ts puts on `locals` for every request.
import type { MasterstageClient, UiAttribution } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'

declare global {
  namespace App {
    interface Locals {
      /** The tenant this host serves; null when the host addresses none (404 page). */
      site: PublicSite | null
      /** The tenant reference sent as X-Tenant (slug or custom domain). */
      tenantReference: string | null
      /** REST client for this request: tenant + the attendee's token when signed in. */
      api: MasterstageClient
      accessToken?: string
      requestId: string
      /** Where the visitor came from (lib/server/attribution): the attribution decision, i.e. what the cookie
       * keeps or now stores; also the landing sections' `source` prop. */
      attribution?: UiAttribution
    }
    interface Error {
      code?: string
    }
  }
}
