// Routes one service's realtime events to the audience channels of the event's own tenant. Services
// without an audience publish nothing (the app-wide default publisher returns null).
import type { Application, HookContext } from '../app/declarations.ts'
import type { RealtimeAudience } from '../plugins/plugin-manifest.ts'
import { attendeesChannel, resourceName, roomChannel, staffChannel, userChannel } from './channel-names.ts'

function channelNames(audience: RealtimeAudience, tenantId: string, data: Record<string, any>): string[] {
  if (audience === 'tenant-staff') return [staffChannel(tenantId)]
  if (audience === 'tenant-all') return [staffChannel(tenantId), attendeesChannel(tenantId)]
  if (audience === 'owner') {
    const owner = data.userId ?? data.ownerId
    return owner ? [userChannel(tenantId, String(owner))] : []
  }
  const resourceId = data[audience.resourceField]
  return resourceId === undefined || resourceId === null
    ? []
    : [roomChannel(tenantId, resourceName(audience.channel, String(resourceId)))]
}

/** The tenant an event belongs to: the document's own tenantId (stamped by the data layer) first. */
function eventTenant(data: Record<string, any>, context: HookContext): string | undefined {
  const tenantId = data?.tenantId ?? context.params?.tenant?.id
  return tenantId === undefined || tenantId === null ? undefined : String(tenantId)
}

export function registerRealtimeAudience(
  app: Application,
  path: string,
  audiences: readonly RealtimeAudience[]
): void {
  if (audiences.length === 0) return
  ;(app as any).service(path).publish((data: Record<string, any>, context: HookContext) => {
    const tenantId = eventTenant(data, context)
    if (!tenantId) return null
    const names = [...new Set(audiences.flatMap((audience) => channelNames(audience, tenantId, data ?? {})))]
    return names.length > 0 ? app.channel(names) : null
  })
}
