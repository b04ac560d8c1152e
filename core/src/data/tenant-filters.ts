// Filter, stamp and update-guard helpers of the tenant-scoped plugin (pure functions over plain objects).
import mongoose from 'mongoose'
import { TENANT_FIELD, type TenantAccess, TenantScopeViolation } from './tenant-scope-access.ts'

/** The condition every read runs with, or undefined when unscoped. */
export function readFilter(access: TenantAccess): Record<string, unknown> | undefined {
  if (access.kind === 'unscoped') return undefined
  if (access.kind === 'tenant') return scopeFilter(access.tenantId)
  // Trusted: the connection runs with sanitizeFilter, which would otherwise neutralise this `$in`.
  return { [TENANT_FIELD]: mongoose.trusted({ $in: [...access.tenantIds] }) }
}

export function scopeFilter(tenantId: string): Record<string, unknown> {
  return { [TENANT_FIELD]: tenantId }
}

/** Stamps a plain document (insert, replacement) with the tenant, refusing a different one. */
export function stampDocument(doc: any, tenantId: string, what: string): void {
  if (doc == null || typeof doc !== 'object') return
  const current = doc[TENANT_FIELD]
  if (current == null) doc[TENANT_FIELD] = tenantId
  else if (String(current) !== tenantId) {
    throw new TenantScopeViolation(`${what} refused: the document belongs to another tenant`)
  }
}

function touchesTenant(path: string): boolean {
  return path === TENANT_FIELD || path.startsWith(`${TENANT_FIELD}.`)
}

/**
 * An update may restate the scope's tenant ($set/$setOnInsert/replacement-style keys) but never
 * change, unset or rename it. Pipeline updates cannot be analysed and are refused under a tenant scope.
 */
export function guardUpdateOfTenant(update: any, tenantId: string, what: string): void {
  if (update == null) return
  if (Array.isArray(update)) {
    throw new TenantScopeViolation(
      `${what} refused: pipeline-style updates are not allowed on tenant-scoped models`
    )
  }
  for (const [key, value] of Object.entries(update)) {
    if (!key.startsWith('$')) {
      if (touchesTenant(key) && String(value) !== tenantId) {
        throw new TenantScopeViolation(`${what} refused: tenantId cannot be changed`)
      }
      continue
    }
    if (value == null || typeof value !== 'object') continue
    for (const [path, operand] of Object.entries(value as Record<string, unknown>)) {
      const restatesTenant = (key === '$set' || key === '$setOnInsert') && String(operand) === tenantId
      if (touchesTenant(path) && !restatesTenant) {
        throw new TenantScopeViolation(`${what} refused: tenantId cannot be changed`)
      }
      if (key === '$rename' && typeof operand === 'string' && touchesTenant(operand)) {
        throw new TenantScopeViolation(`${what} refused: tenantId cannot be changed`)
      }
    }
  }
}
