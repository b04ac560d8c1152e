// Lets a plugin put a live connection into one resource's room (a masterclass, a chat) after its own
// authorization. Core still checks the connection belongs to the tenant, so a room never spans tenants.
import type { RealTimeConnection } from '@feathersjs/feathers'
import type { Application, AuthenticatedUser, ResolvedTenant } from '../app/declarations.ts'
import { canAccessTenant } from '../auth/policy.ts'
import { forbidden } from '../errors/codes.ts'
import { resourceName, roomChannel } from './channel-names.ts'

type Connection = RealTimeConnection & { user?: AuthenticatedUser; tenant?: ResolvedTenant }

async function assertInTenant(app: Application, connection: Connection, tenantId: string): Promise<void> {
  // A logged-in user must belong to the tenant; an anonymous connection must have been opened on it.
  if (!connection.user) {
    if (connection.tenant?.id !== tenantId) throw forbidden('This connection does not belong to the tenant')
    return
  }
  const tenant = await app.get('access').tenants.byId(tenantId)
  if (!tenant || !canAccessTenant(connection.user, { id: tenantId, agencyId: tenant.agencyId })) {
    throw forbidden('This connection does not belong to the tenant')
  }
}

/** `params.connection` of a socket call; `kind`/`id` name the resource, e.g. ('masterclass', id). */
export async function joinResourceRoom(
  app: Application,
  connection: RealTimeConnection | undefined,
  tenantId: string,
  kind: string,
  id: string
): Promise<string> {
  if (!connection) throw forbidden('Resource rooms need a realtime connection')
  await assertInTenant(app, connection as Connection, tenantId)
  const name = roomChannel(tenantId, resourceName(kind, id))
  app.channel(name).join(connection)
  return name
}

export function leaveResourceRoom(
  app: Application,
  connection: RealTimeConnection | undefined,
  tenantId: string,
  kind: string,
  id: string
): void {
  if (connection) app.channel(roomChannel(tenantId, resourceName(kind, id))).leave(connection)
}
