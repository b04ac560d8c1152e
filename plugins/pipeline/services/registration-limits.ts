// Spam defences in front of the public registration: per-IP and per-tenant rate limits through core's
// rate-limit hook, with the tenant's own limits from the plugin settings (defaults below). The limits are
// remembered per tenant for a few seconds: reading them (clone + schema defaults) on every public POST
// was measurable on the registration path, and a changed limit taking 10 s to apply is harmless. An
// expired entry is reloaded in the background (one reload per tenant) rather than on the request path.
// Both limits count through core's batched limiter: two sequential Redis round trips per registration were
// the largest share of its latency; it stays exact within a process and near the limit, and across API
// processes may overshoot by one flush interval's hits (core/src/rate-limit/batched-rate-limiter.ts).
import type { HookContext, NextFunction, PluginContext } from '@masterstage/core'
import { rateLimit } from '@masterstage/core'

export interface RegistrationLimits {
  perIpPerMinute: number
  perTenantPerMinute: number
}

export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = { perIpPerMinute: 10, perTenantPerMinute: 600 }
const LIMITS_TTL_MS = 10_000

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
  const byTenant = new Map<string, { hook: Hook; until: number; refreshing: boolean }>()
  const firstLoads = new Map<string, Promise<Hook>>()
  const defaults = limitHooks(DEFAULT_REGISTRATION_LIMITS)
  const load = async (tenantId: string): Promise<Hook> => {
    const settings = (await ctx.tenants.settings(tenantId)) as {
      registrationLimits?: Partial<RegistrationLimits>
    }
    const hook = limitHooks({ ...DEFAULT_REGISTRATION_LIMITS, ...settings.registrationLimits })
    byTenant.set(tenantId, { hook, until: Date.now() + LIMITS_TTL_MS, refreshing: false })
    return hook
  }
  const hookFor = (tenantId: string | undefined): Hook | Promise<Hook> => {
    if (!tenantId) return defaults
    const cached = byTenant.get(tenantId)
    if (cached) {
      // Expired: keep answering with the known limits while one reload runs, so no registration waits
      // for it and a busy tenant does not start one reload per request.
      if (cached.until <= Date.now() && !cached.refreshing) {
        cached.refreshing = true
        load(tenantId).catch((error: Error) => {
          cached.refreshing = false
          ctx.logger.warn({ err: { message: error.message }, tenantId }, 'registration limits not reloaded')
        })
      }
      return cached.hook
    }
    let first = firstLoads.get(tenantId)
    if (!first) {
      first = load(tenantId).finally(() => firstLoads.delete(tenantId))
      firstLoads.set(tenantId, first)
    }
    return first
  }
  return async (context: HookContext, next: NextFunction) => {
    if (context.params.provider === undefined) return next()
    const hook = await hookFor(context.params.tenant?.id)
    return hook(context, next)
  }
}
