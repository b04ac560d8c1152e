// Hook validating create/update/patch data against TypeBox schemas (every problem as a field error,
// 400 VALIDATION_FAILED), the pattern services copy: closed schemas with additionalProperties: false.
import type { TSchema } from '@feathersjs/typebox'
import type { HookContext, NextFunction } from '../app/declarations.ts'
import { type FieldError, validationError } from '../errors/codes.ts'
import { schemaErrors } from '../tenancy/schema-validation.ts'

export interface BodySchemas {
  create?: TSchema
  update?: TSchema
  patch?: TSchema
}

export function validateBody(schemas: BodySchemas) {
  return async (context: HookContext, next?: NextFunction) => {
    const schema = schemas[context.method as keyof BodySchemas]
    if (schema) {
      const many = Array.isArray(context.data)
      const items: unknown[] = many ? context.data : [context.data]
      const errors: FieldError[] = items.flatMap((item, index) =>
        schemaErrors(schema, item, many ? String(index) : '')
      )
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
