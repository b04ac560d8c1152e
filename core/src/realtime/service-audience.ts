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

/** What a socket receives for `data`: the dispatch form (safe view) when resolvers made one, as the
 * Socket.io transport picks it; a multi-item result's item by position. */
function dispatchedPayload(data: unknown, context: HookContext): unknown {
  const dispatch = (context as any).dispatch ?? context.result ?? data
  if (Array.isArray(data) || !Array.isArray(context.result) || !Array.isArray(dispatch)) return dispatch
  const index = context.result.indexOf(data)
  return index >= 0 ? dispatch[index] : data
}

const STANDARD_EVENTS = ['created', 'updated', 'patched', 'removed']

export function registerRealtimeAudience(
  app: Application,
  path: string,
  audiences: readonly RealtimeAudience[],
  customEvents: readonly string[] = []
): void {
  if (audiences.length === 0) return
  const service = (app as any).service(path)
  // One publisher per event (not one for all), because the relay must name the event and a custom
  // event's publisher gets no hook context that would tell it.
  for (const event of [...STANDARD_EVENTS, ...customEvents]) {
    service.publish(event, (data: Record<string, any>, context: HookContext) => {
      const tenantId = eventTenant(data, context)
      if (!tenantId) return null
      const names = [
        ...new Set(audiences.flatMap((audience) => channelNames(audience, tenantId, data ?? {})))
      ]
      if (names.length === 0) return null
      // Sockets of other processes (the worker has none; API processes each have their own).
      app.get('access')?.realtime?.forward(path, event, names, dispatchedPayload(data, context))
      return app.channel(names)
    })
  }
}
