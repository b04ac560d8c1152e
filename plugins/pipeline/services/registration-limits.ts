// Spam defences in front of the public registration: per-IP and per-tenant rate limits through core's
// rate-limit hook, with the tenant's own limits from the plugin settings (defaults below), read per request
// (core parses settings once per tenant change). Both limits count through core's batched limiter: two
// sequential Redis round trips per registration were the largest share of its latency; it stays exact
// within a process and near the limit, and across API processes may overshoot by one flush interval's hits
// (core/src/rate-limit/batched-rate-limiter.ts).
import type { HookContext, NextFunction, PluginContext } from '@masterstage/core'
import { rateLimit } from '@masterstage/core'

export interface RegistrationLimits {
  perIpPerMinute: number
  perTenantPerMinute: number
}

export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = { perIpPerMinute: 10, perTenantPerMinute: 600 }

type Hook = (context: HookContext, next: NextFunction) => Promise<unknown>

function limitHooks(limits: RegistrationLimits): Hook {
  const perIp = rateLimit({
    key: 'ip',
    points: limits.perIpPerMinute,
    durationSeconds: 60,
    name: 'pipeline.registration.ip',
    counting: 'batched'
  })
  const perTenant = rateLimit({
    key: 'tenant',
    points: limits.perTenantPerMinute,
    durationSeconds: 60,
    name: 'pipeline.registration.tenant',
    counting: 'batched'
  })
  // Sequential on purpose: a request refused per IP must not spend the tenant's budget.
  return (context, next) => perIp(context, () => perTenant(context, next))
}

export function registrationRateLimits(ctx: PluginContext) {
  // One pair of hooks per distinct limit values (a handful across all tenants), built on first use.
  const hooksByLimits = new Map<string, Hook>()
  const hookFor = (limits: RegistrationLimits): Hook => {
    const key = `${limits.perIpPerMinute}/${limits.perTenantPerMinute}`
    let hook = hooksByLimits.get(key)
    if (!hook) {
      hook = limitHooks(limits)
      hooksByLimits.set(key, hook)
    }
    return hook
  }
  // Core hands out the same frozen settings object per tenant until the tenant changes: its hook is
  // remembered for it instead of merging the limits and building their key on every request.
  const hookBySettings = new WeakMap<object, Hook>()
  const hookOfSettings = (settings: { registrationLimits?: Partial<RegistrationLimits> }): Hook => {
    let hook = hookBySettings.get(settings)
    if (!hook) {
      hook = hookFor({ ...DEFAULT_REGISTRATION_LIMITS, ...settings.registrationLimits })
      hookBySettings.set(settings, hook)
    }
    return hook
  }
  const noSettings = {}
  return async (context: HookContext, next: NextFunction) => {
    if (context.params.provider === undefined) return next()
    const tenantId = context.params.tenant?.id
    const settings = tenantId ? await ctx.tenants.settings(tenantId) : noSettings
    return hookOfSettings(settings as { registrationLimits?: Partial<RegistrationLimits> })(context, next)
  }
}
