// The one way a service (core's or a plugin's) joins the app: every external call goes through the
// same guard (authentication, tenant resolution, access policy, request scope) before its own hooks,
// so tenancy and roles are enforced once, here, and no service can forget them.
import type { HookOptions, ServiceInterface } from '@feathersjs/feathers'
import { guardServiceCall } from '../auth/guard-service-call.ts'
import { requirePluginEnabled } from '../plugins/plugin-enabled-guard.ts'
import type { AccessRules, RealtimeAudience } from '../plugins/plugin-manifest.ts'
import { registerRealtimeAudience } from '../realtime/service-audience.ts'
import type { Application } from './declarations.ts'

export interface ServiceRegistration {
  path: string
  service: ServiceInterface<any, any, any, any>
  /** Externally callable methods; anything else is internal only. */
  methods: readonly string[]
  events?: readonly string[]
  access: AccessRules
  /** Default true: the call needs a resolved tenant and runs in its scope. */
  tenantScoped?: boolean
  /** Owning plugin, if any: its services answer 404 on tenants that have not enabled it. */
  plugin?: string
  realtime?: readonly RealtimeAudience[]
  hooks?: HookOptions<any, any>
}

export function registerService(app: Application, registration: ServiceRegistration): void {
  const { path, service, methods, events = [], access, tenantScoped = true, plugin } = registration
  app.use(path as any, service as any, { methods: [...methods] as any, events: [...events] })
  const registered = app.service(path as any) as any
  const around = [guardServiceCall({ path, access, tenantScoped })]
  if (plugin) around.push(requirePluginEnabled(plugin))
  registered.hooks({ around: { all: around } })
  if (registration.hooks) registered.hooks(registration.hooks)
  registerRealtimeAudience(app, path, registration.realtime ?? [], events)
}
