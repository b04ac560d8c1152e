// Connection-level schema plugin run when each model compiles: query strictness, secret-field protection
// and the rule that every index of a tenant-scoped model leads with tenantId (no cross-tenant scans).
import type { Schema } from 'mongoose'
import { secretFieldsPlugin } from './secret-fields.ts'
import { TENANT_FIELD, TenantScopeViolation } from './tenant-scope-access.ts'
import { isTenantScopedSchema } from './tenant-scoped-plugin.ts'

export function modelCompileChecks(schema: Schema): void {
  // Unknown filter keys are programming or injection errors: fail loudly instead of matching everything.
  if (!Object.hasOwn((schema as any)._userProvidedOptions ?? {}, 'strictQuery'))
    schema.set('strictQuery', 'throw')
  secretFieldsPlugin(schema)
  if (isTenantScopedSchema(schema)) assertTenantLedIndexes(schema)
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
