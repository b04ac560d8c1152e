// Validates plain data against a TypeBox/JSON schema and reports every problem as a field error
// (`path` dotted, `message` for humans), so API clients can show them next to the right inputs.
import { Ajv, addFormats } from '@feathersjs/schema'
import type { TSchema } from '@feathersjs/typebox'
import type { FieldError } from '../errors/codes.ts'

// One compiler for core: defaults are applied, nothing is coerced (bad input is refused, not repaired).
const ajv = addFormats(new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: false }), [
  'email',
  'uri',
  'hostname',
  'date-time'
])
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>()

/** Validates `data` in place (defaults applied). Returns [] when valid. `prefix` is prepended to paths. */
export function schemaErrors(schema: TSchema, data: unknown, prefix = ''): FieldError[] {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (validate(data)) return []
  return (validate.errors ?? []).map((error) => {
    let path = error.instancePath.replace(/^\//, '').replaceAll('/', '.')
    if (error.keyword === 'required')
      path = path ? `${path}.${error.params.missingProperty}` : error.params.missingProperty
    if (error.keyword === 'additionalProperties') {
      path = path ? `${path}.${error.params.additionalProperty}` : error.params.additionalProperty
      return { path: join(prefix, path), message: 'is not an allowed field' }
    }
    return { path: join(prefix, path), message: error.message ?? 'is invalid' }
  })
}

function join(prefix: string, path: string): string {
  if (!prefix) return path
  return path ? `${prefix}.${path}` : prefix
}
