// Adds and removes the per-tenant schedule of a repeatable job in Redis (Bull repeat keys), so a
// tenant's schedule exists exactly while the tenant has the job's plugin enabled.
import type Bull from 'bull'
import { defaultJobOptions } from './job-options.ts'
import type { JobDefinition, JobEnvelope } from './job-registry.ts'

/** Bull splits repeat keys on ':', so the id must not contain one. */
export function tenantRepeatJobId(tenantId: string): string {
  return `repeat-${tenantId}`
}

/** Idempotent: Bull keys a repeatable job by name + cron + jobId. */
export async function scheduleForTenant(
  queue: Bull.Queue,
  definition: JobDefinition,
  tenantId: string
): Promise<void> {
  if (!definition.repeat?.perTenant) return
  await queue.add({ tenantId, data: {} } satisfies JobEnvelope, {
    ...defaultJobOptions({ attempts: definition.attempts, backoffMs: definition.backoffMs }),
    jobId: tenantRepeatJobId(tenantId),
    repeat: { cron: definition.repeat.cron }
  })
}

/** Removes the repeat key and its already-delayed next run; a no-op when nothing is scheduled. */
export async function unscheduleForTenant(
  queue: Bull.Queue,
  definition: JobDefinition,
  tenantId: string
): Promise<void> {
  if (!definition.repeat?.perTenant) return
  await queue.removeRepeatable({ cron: definition.repeat.cron, jobId: tenantRepeatJobId(tenantId) })
}
