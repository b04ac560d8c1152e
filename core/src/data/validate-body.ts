// Hook validating the data of create/update/patch, and of custom methods by name, against TypeBox schemas
// (every problem as a field error, 400 VALIDATION_FAILED): closed schemas with additionalProperties: false.
import type { TSchema } from '@feathersjs/typebox'
import type { HookContext, NextFunction } from '../app/declarations.ts'
import { validationError } from '../errors/codes.ts'
import { compiledSchema, type SchemaCheck } from '../tenancy/schema-validation.ts'

export interface BodySchemas {
  create?: TSchema
  update?: TSchema
  patch?: TSchema
  /** A custom method's data (its first argument), by method name. */
  [customMethod: string]: TSchema | undefined
}

export function validateBody(schemas: BodySchemas) {
  // Compiled once here, not looked up per call.
  const checks: Partial<Record<string, SchemaCheck>> = {}
  for (const [method, schema] of Object.entries(schemas)) if (schema) checks[method] = compiledSchema(schema)
  return async (context: HookContext, next?: NextFunction) => {
    const check = checks[context.method]
    if (check) {
      const data = context.data
      const errors = Array.isArray(data)
        ? data.flatMap((item, index) => check(item, String(index)))
        : check(data)
      if (errors.length > 0) {
        throw validationError(
          `Invalid data: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
          errors
        )
      }
    }
    if (next) await next()
  }
}
