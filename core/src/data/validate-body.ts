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

function createsMany(context: HookContext): boolean {
  const service = context.self as { allowsMulti?: (method: string, params: unknown) => boolean } | undefined
  return context.method === 'create' && typeof service?.allowsMulti === 'function'
    ? service.allowsMulti('create', context.params)
    : false
}

export function validateBody(schemas: BodySchemas) {
  // Compiled once here, not looked up per call.
  const checks: Partial<Record<string, SchemaCheck>> = {}
  for (const [method, schema] of Object.entries(schemas)) if (schema) checks[method] = compiledSchema(schema)
  return async (context: HookContext, next?: NextFunction) => {
    const check = checks[context.method]
    if (check) {
      const data = context.data
      // A list is many records: only a create of a service that takes many (an adapter with `multi`).
      const errors = !Array.isArray(data)
        ? check(data)
        : createsMany(context)
          ? data.flatMap((item, index) => check(item, String(index)))
          : [{ path: '', message: 'must be one object, not a list' }]
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
