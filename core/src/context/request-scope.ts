// The ambient scope of one unit of work (HTTP request, socket call, job, event handler):
// which tenants it may touch and who acts. The data layer reads it to enforce tenancy once.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Role } from '../auth/roles.ts'

/** Who performs the work. `system` is the platform itself (jobs, event handlers, scripts). */
export type Actor =
  | { kind: 'user'; userId: string; role: Role; agencyId?: string }
  | { kind: 'system'; name: string }
  | { kind: 'anonymous' }

export interface RequestScope {
  /** Correlates log lines of one unit of work. */
  requestId: string
  /**
   * The tenant this work writes to. Reads are filtered to it; creates are stamped with it.
   * Absent only for platform-level work (agencies, tenants, users) or agency-wide reads.
   */
  tenantId?: string
  /**
   * Agency-wide read views: reads are filtered to `tenantId $in readTenantIds`; writes are refused.
   * Set only by core after authorization.
   */
  readTenantIds?: readonly string[]
  /** Explicit, audited opt-out for platform maintenance (migrations, index builds, metrics across tenants). */
  unscoped?: { reason: string }
  actor: Actor
}

const storage = new AsyncLocalStorage<RequestScope>()

export function currentScope(): RequestScope | undefined {
  return storage.getStore()
}

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn)
}

/** Runs `fn` for one tenant as the platform itself (event handlers, jobs, seeding). */
export function runAsSystem<T>(
  name: string,
  tenantId: string | undefined,
  fn: () => T,
  requestId?: string
): T {
  return storage.run({ requestId: requestId ?? `sys-${name}`, tenantId, actor: { kind: 'system', name } }, fn)
}

/** Runs `fn` without tenant filtering. Reserved for platform maintenance; the reason is logged by callers. */
export function runUnscoped<T>(reason: string, fn: () => T): T {
  const parent = storage.getStore()
  return storage.run(
    {
      requestId: parent?.requestId ?? 'unscoped',
      actor: parent?.actor ?? { kind: 'system', name: 'unscoped' },
      unscoped: { reason }
    },
    fn
  )
}
