// Around hook on every plugin service: a tenant that has not enabled the plugin gets 404, as if the
// service did not exist, for external calls and for internal calls made in that tenant's scope.
import { NotFound } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '../app/declarations.ts'
import { currentScope } from '../context/request-scope.ts'
import { ErrorCode } from '../errors/codes.ts'
import { isPluginEnabledForTenant } from './tenant-plugin-state.ts'

export function pluginDisabled(plugin: string): NotFound {
  return new NotFound(`Not found: the ${plugin} plugin is not enabled for this tenant`, {
    code: ErrorCode.PLUGIN_DISABLED,
    plugin
  })
}

export function requirePluginEnabled(plugin: string) {
  return async function requirePluginEnabledHook(context: HookContext, next: NextFunction): Promise<void> {
    const tenant = context.params.tenant
    if (tenant) {
      if (!tenant.enabledPlugins.includes(plugin)) throw pluginDisabled(plugin)
    } else {
      // Internal calls (jobs, event handlers) carry their tenant in the request scope, not in params.
      const tenantId = currentScope()?.tenantId
      if (tenantId && !(await isPluginEnabledForTenant(context.app, tenantId, plugin)))
        throw pluginDisabled(plugin)
    }
    await next()
  }
}
