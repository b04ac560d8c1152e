// Keeps per-tenant repeatable job schedules in Redis in step with plugin enablement: on
// tenant.plugin.enabled / .disabled, the tenant's schedules of that plugin's jobs are added or removed.
import type { Application } from '../app/declarations.ts'
import type { DomainEvent } from '../events/domain-events.ts'
import type { JobDefinition } from '../jobs/job-registry.ts'
import { scheduleForTenant, unscheduleForTenant } from '../jobs/tenant-repeatable-schedules.ts'
import { tenancyModels } from '../tenancy/tenancy-models.ts'

/**
 * Both events reconcile against the tenant's current state, read fresh from MongoDB (not a cache):
 * deliveries of a quick disable/enable pair may run in either order, and the last one to run must
 * leave the schedule matching the tenant as it is now.
 */
export function syncRepeatableSchedules(app: Application): void {
  const bus = app.get('events')
  const reconcile = async (event: DomainEvent<'tenant.plugin.enabled' | 'tenant.plugin.disabled'>) => {
    const { tenantId, plugin } = event.payload
    const definitions = perTenantJobsOf(app, plugin)
    if (definitions.length === 0) return
    const { Tenant } = tenancyModels(app.get('mongoose'))
    const tenant = await Tenant.findById(tenantId, { enabledPlugins: 1 }).lean().exec()
    const enabled = Boolean(tenant?.enabledPlugins.some((entry) => entry.name === plugin))
    const queues = app.get('queues')
    for (const definition of definitions) {
      const queue = queues.queue(definition.queue)
      if (enabled) await scheduleForTenant(queue, definition, tenantId)
      else await unscheduleForTenant(queue, definition, tenantId)
    }
  }
  bus.subscribe('tenant.plugin.enabled', 'core.repeatable-schedules.plugin-enabled', reconcile)
  bus.subscribe('tenant.plugin.disabled', 'core.repeatable-schedules.plugin-disabled', reconcile)
}

function perTenantJobsOf(app: Application, plugin: string): JobDefinition[] {
  return app
    .get('jobs')
    .definitions()
    .filter((definition) => definition.plugin === plugin && definition.repeat?.perTenant)
}
