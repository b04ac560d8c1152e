// Spam defences in front of the public registration: per-IP and per-tenant rate limits through core's
// rate-limit hook, with the tenant's own limits from the plugin settings (defaults below).
import type { HookContext, NextFunction, PluginContext } from '@masterstage/core'
import { rateLimit } from '@masterstage/core'

export interface RegistrationLimits {
  perIpPerMinute: number
  perTenantPerMinute: number
}

export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = { perIpPerMinute: 10, perTenantPerMinute: 600 }

export function registrationRateLimits(ctx: PluginContext) {
  return async (context: HookContext, next: NextFunction) => {
    if (context.params.provider === undefined) return next()
    const tenantId: string | undefined = context.params.tenant?.id
    const settings = (tenantId ? await ctx.tenants.settings(tenantId) : {}) as {
      registrationLimits?: Partial<RegistrationLimits>
    }
    const limits = { ...DEFAULT_REGISTRATION_LIMITS, ...settings.registrationLimits }
    const perIp = rateLimit({
      key: 'ip',
      points: limits.perIpPerMinute,
      durationSeconds: 60,
      name: 'pipeline.registration.ip'
    })
    const perTenant = rateLimit({
      key: 'tenant',
      points: limits.perTenantPerMinute,
      durationSeconds: 60,
      name: 'pipeline.registration.tenant'
    })
    return perIp(context, () => perTenant(context, next))
  }
}
