// Connection-level schema plugin run when each model compiles: query strictness, secret-field protection
// and the rule that every index of a tenant-scoped model leads with tenantId (no cross-tenant scans); the
// tenant plugin's own {tenantId: 1} index is dropped when a compound index already serves it.
import type { Schema } from 'mongoose'
import { insertLeanOne } from './lean-insert.ts'
import { secretFieldsPlugin } from './secret-fields.ts'
import { TENANT_FIELD, TenantScopeViolation } from './tenant-scope-access.ts'
import { isTenantScopedSchema } from './tenant-scoped-plugin.ts'

export function modelCompileChecks(schema: Schema): void {
  // Unknown filter keys are programming or injection errors: fail loudly instead of matching everything.
  if (!Object.hasOwn((schema as any)._userProvidedOptions ?? {}, 'strictQuery'))
    schema.set('strictQuery', 'throw')
  secretFieldsPlugin(schema)
  // Model.insertLeanOne(doc): lean-insert.ts, for plugins (which reach core's data layer through models).
  if (!(schema.statics as Record<string, unknown>).insertLeanOne)
    schema.static('insertLeanOne', function (this: any, doc: Record<string, unknown>) {
      return insertLeanOne(this, doc)
    })
  if (isTenantScopedSchema(schema)) {
    assertTenantLedIndexes(schema)
    dropRedundantTenantIndex(schema)
  }
}

/**
 * The tenant plugin declares {tenantId: 1} so that every scoped model can filter by tenant alone. A plain
 * compound index leading with tenantId serves those queries as well (an index prefix), so keeping both only
 * costs a second index entry per insert and per write of the document. Runs at model compile, when the
 * schema's own indexes are all declared. Partial, sparse, collated or non-ascending/descending (text,
 * hashed) compound indexes do not serve every tenantId query, so they do not count.
 */
export function dropRedundantTenantIndex(schema: Schema): void {
  const indexes = (schema as any)._indexes as [Record<string, unknown>, Record<string, unknown>?][]
  const isPlainTenantIndex = ([fields, options]: [Record<string, unknown>, Record<string, unknown>?]) => {
    const keys = Object.keys(fields)
    return (
      keys.length === 1 &&
      keys[0] === TENANT_FIELD &&
      fields[TENANT_FIELD] === 1 &&
      Object.keys(options ?? {}).every((option) => option === 'background')
    )
  }
  const servesTenantQueries = ([fields, options = {}]: [
    Record<string, unknown>,
    Record<string, unknown>?
  ]) => {
    const keys = Object.keys(fields)
    return (
      keys.length > 1 &&
      keys[0] === TENANT_FIELD &&
      (fields[TENANT_FIELD] === 1 || fields[TENANT_FIELD] === -1) &&
      options.partialFilterExpression === undefined &&
      !options.sparse &&
      options.collation === undefined
    )
  }
  if (!indexes.some(servesTenantQueries)) return
  for (let i = indexes.length - 1; i >= 0; i--) if (isPlainTenantIndex(indexes[i])) indexes.splice(i, 1)
}

/** Throws at boot when an index of a tenant-scoped schema does not start with tenantId (`_id` excepted). */
export function assertTenantLedIndexes(schema: Schema, modelName = 'model'): void {
  for (const [fields] of schema.indexes()) {
    const keys = Object.keys(fields)
    if (keys.length === 1 && keys[0] === '_id') continue
    if (keys[0] !== TENANT_FIELD) {
      throw new TenantScopeViolation(
        `Index {${keys.join(', ')}} of tenant-scoped ${modelName} must start with ${TENANT_FIELD} ` +
          `(declare it as schema.index({ ${TENANT_FIELD}: 1, ${keys.join(': 1, ')}: 1 }) instead of field-level index/unique)`
      )
    }
  }
}
