// Puts live connections into the channels their user may hear (on login, tenant switch) and takes them out
// at once when the user's access changes, so a demoted or removed user stops receiving events immediately.
// An agency admin's connection in agency scope (the agency-wide board) hears every tenant of its own agency.
import type { RealTimeConnection } from '@feathersjs/feathers'
import type { Application, AuthenticatedUser, ResolvedTenant } from '../app/declarations.ts'
import { canAccessTenant, canUseAgencyView } from '../auth/policy.ts'
import { STAFF_ROLES } from '../auth/roles.ts'
import { attendeesChannel, staffChannel, TENANT_CHANNEL_PREFIX, userChannel } from './channel-names.ts'

/** What a connection listens to beside its selected tenant: `agency` = every tenant of the admin's agency. */
export type ConnectionScope = 'tenant' | 'agency'

export type ChannelConnection = RealTimeConnection & {
  user?: AuthenticatedUser
  tenant?: ResolvedTenant
  /** Set only through the tenant-selection call, which checks the user may have it. */
  scope?: ConnectionScope
}
type Connection = ChannelConnection

/**
 * Tenants whose channels a connection joins: its selected tenant (with the agency scope, every tenant of the
 * agency admin's agency, which the selected one must belong to), or (no selection) the user's own tenants.
 */
async function tenantsFor(
  app: Application,
  user: AuthenticatedUser,
  tenant?: ResolvedTenant,
  scope: ConnectionScope = 'tenant'
): Promise<string[]> {
  if (tenant) {
    if (!canAccessTenant(user, tenant)) return []
    // Checked again at every join (a login, a switch), not only at the selection: a user demoted from agency
    // admin meanwhile falls back to the selected tenant.
    if (scope === 'agency' && canUseAgencyView(user))
      return app.get('access').tenants.agencyTenantIds(user.agencyId!)
    return [tenant.id]
  }
  if (user.role === 'platform_admin') return []
  if (user.role === 'agency_admin')
    return user.agencyId ? app.get('access').tenants.agencyTenantIds(user.agencyId) : []
  return [...user.tenantIds]
}

export function leaveTenantChannels(app: Application, connection: Connection): void {
  for (const name of app.channels) {
    if (name.startsWith(TENANT_CHANNEL_PREFIX)) app.channel(name).leave(connection)
  }
}

/** `user` defaults to the connection's; a login passes it before Feathers has stored it on the connection. */
export async function joinUserChannels(
  app: Application,
  connection: Connection,
  user: AuthenticatedUser | undefined = connection.user
): Promise<void> {
  leaveTenantChannels(app, connection)
  if (!user) return
  const staff = STAFF_ROLES.includes(user.role)
  for (const tenantId of await tenantsFor(app, user, connection.tenant, connection.scope)) {
    app.channel(staff ? staffChannel(tenantId) : attendeesChannel(tenantId)).join(connection)
    app.channel(userChannel(tenantId, user._id)).join(connection)
  }
}

/** Every live connection of `userId` leaves every tenant channel (its token is revoked as well). */
export function revokeUserConnections(app: Application, userId: string): number {
  let revoked = 0
  if (app.channels.length === 0) return 0
  for (const connection of app.channel(app.channels).connections as Connection[]) {
    if (connection.user?._id !== userId) continue
    leaveTenantChannels(app, connection)
    revoked++
  }
  return revoked
}

/** Logins join channels in the authentication service's hook (auth/authentication-setup.ts); logouts leave here. */
export function configureConnectionChannels(app: Application): void {
  app.on('logout', (_result: unknown, { connection }: { connection?: Connection }) => {
    if (connection) leaveTenantChannels(app, connection)
  })
}
