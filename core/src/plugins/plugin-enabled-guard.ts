// Around hook on every plugin service: a tenant that has not enabled the plugin gets 404, as if the
// service did not exist, for external calls (REST and sockets) and for internal calls in its scope.
import { NotFound } from '@feathersjs/errors'
import type { Application, HookContext, NextFunction } from '../app/declarations.ts'
import { currentScope, runInScope } from '../context/request-scope.ts'
import { ErrorCode } from '../errors/codes.ts'
import { isPluginEnabledForTenant, pluginEnabledNow } from './tenant-plugin-state.ts'

export function pluginDisabled(plugin: string): NotFound {
  return new NotFound(`Not found: the ${plugin} plugin is not enabled for this tenant`, {
    code: ErrorCode.PLUGIN_DISABLED,
    plugin
  })
}

/**
 * Enablement is read live through the tenant directory (cached, cleared by tenant writes), never from
 * `params.tenant.enabledPlugins`: on a socket that is a snapshot from the handshake, and a plugin
 * disabled since must stop answering on open connections too. Agency-wide views (readTenantIds) are
 * narrowed to the tenants that enabled the plugin; when none has, the plugin does not exist for the
 * view and the answer is 404 PLUGIN_DISABLED, the same as for a single tenant.
 */
export function requirePluginEnabled(plugin: string) {
  return async function requirePluginEnabledHook(context: HookContext, next: NextFunction): Promise<void> {
    const scope = currentScope()
    // Internal calls (jobs, event handlers) carry their tenant in the request scope, not in params.
    const tenantId = context.params.tenant?.id ?? scope?.tenantId
    if (tenantId) {
      const enabled =
        pluginEnabledNow(context.app, tenantId, plugin) ??
        (await isPluginEnabledForTenant(context.app, tenantId, plugin))
      if (!enabled) throw pluginDisabled(plugin)
      await next()
      return
    }
    if (scope?.readTenantIds) {
      const enabled = await enabledAmong(context.app, scope.readTenantIds, plugin)
      if (enabled.length === 0) throw pluginDisabled(plugin)
      await runInScope({ ...scope, readTenantIds: enabled }, next)
      return
    }
    await next()
  }
}

async function enabledAmong(
  app: Application,
  tenantIds: readonly string[],
  plugin: string
): Promise<string[]> {
  const flags = await Promise.all(tenantIds.map((id) => isPluginEnabledForTenant(app, id, plugin)))
  return tenantIds.filter((_, index) => flags[index])
}
