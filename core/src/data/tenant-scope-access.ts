// Decides, from the ambient RequestScope, what one data operation may touch: the single rule set
// behind every filter and stamp of the tenant-scoped mongoose plugin.
import { GeneralError } from '@feathersjs/errors'
import { currentScope } from '../context/request-scope.ts'
import { ErrorCode } from '../errors/codes.ts'

export const TENANT_FIELD = 'tenantId'

export type TenantAccess =
  | { kind: 'unscoped' }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'read-many'; tenantIds: readonly string[] }

/** A server-side bug (never a client mistake): code tried to cross or skip the tenant boundary. */
export class TenantScopeViolation extends GeneralError {
  constructor(message: string) {
    super(message, { code: ErrorCode.TENANT_SCOPE_VIOLATION })
    this.name = 'TenantScopeViolation'
  }
}

/**
 * `operation` is 'read' for finds/counts/aggregates and 'write' for anything that changes data.
 * Throws when there is no scope, when a write runs under agency-wide read scope, or when the scope
 * is platform-level (no tenant) without an explicit `runUnscoped`.
 */
export function tenantAccess(operation: 'read' | 'write', what: string): TenantAccess {
  const scope = currentScope()
  if (!scope) {
    throw new TenantScopeViolation(
      `${what} on a tenant-scoped model needs a request scope (runInScope/runAsSystem) or an explicit runUnscoped`
    )
  }
  if (scope.unscoped) return { kind: 'unscoped' }
  if (scope.readTenantIds) {
    if (operation === 'write') {
      throw new TenantScopeViolation(
        `${what} refused: the scope is an agency-wide read view, writes need one tenant`
      )
    }
    return { kind: 'read-many', tenantIds: scope.readTenantIds }
  }
  if (scope.tenantId) return { kind: 'tenant', tenantId: scope.tenantId }
  throw new TenantScopeViolation(`${what} on a tenant-scoped model needs a tenant in the request scope`)
}

/** The tenant a write stamps/filters with; `undefined` means unscoped (caller supplies tenantId). */
export function writeTenant(what: string): string | undefined {
  const access = tenantAccess('write', what)
  return access.kind === 'tenant' ? access.tenantId : undefined
}
