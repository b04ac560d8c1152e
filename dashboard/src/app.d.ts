// App-wide types of the dashboard: the signed-in staff member and the tenant being worked on.
import type { MasterstageClient } from '@masterstage/core/client'
import type { StaffUser, TenantSummary } from '$lib/server/staff-session.ts'

declare global {
  namespace App {
    interface Locals {
      requestId: string
      accessToken?: string
      user?: StaffUser
      /** Tenants this user may access, as the API lists them (never computed here). */
      tenants: TenantSummary[]
      /** The tenant selected in the switcher (one of `tenants`). */
      tenant?: TenantSummary
      /** REST client with the user's token and the selected tenant as X-Tenant. */
      api: MasterstageClient
    }
    interface Error {
      code?: string
    }
  }
}
