// Who may own a lead (`assignedToId`): staff who work the lead's tenant (a sales rep or host of it, or an
// admin of its agency). Read through core's user cache (loading from its users service) and tenant directory;
// plugins never read users.
import { canAccessTenant, type PluginContext, USERS_PATH } from '@masterstage/core'

type App = PluginContext['app']

const OWNER_ROLES = ['sales_rep', 'host', 'agency_admin'] as const

/** One message for every refusal: an owner of another tenant is not told apart from an unknown id. */
export const OWNER_REFUSED = "must be a sales rep, host or agency admin of the lead's tenant"

export async function isLeadOwnerCandidate(app: App, userId: string, tenantId: string): Promise<boolean> {
  const access = app.get('access')
  // Core's per-process user cache (the one behind authenticated requests): repeated assignments of the
  // same rep read nothing, and an access change (role, memberships, removal) drops the entry at once.
  const user = await access.users.get(userId, async () => {
    try {
      // Internal call: no viewer, so visibility rules do not hide the user; we decide below.
      return await (app as any).service(USERS_PATH).get(userId, {})
    } catch (error) {
      if ((error as { code?: number }).code === 404) return null
      throw error
    }
  })
  if (!user || !(OWNER_ROLES as readonly string[]).includes(user.role)) return false
  const tenant = await access.tenants.byId(tenantId)
  return (
    tenant !== undefined &&
    tenant !== null &&
    canAccessTenant(user, { id: tenantId, agencyId: tenant.agencyId })
  )
}
