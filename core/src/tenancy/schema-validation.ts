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
type ValidateFunction = ReturnType<typeof ajv.compile>

/** Validates `data` in place (defaults applied). Returns [] when valid. `prefix` is prepended to paths. */
export function schemaErrors(schema: TSchema, data: unknown, prefix = ''): FieldError[] {
  const errors = compiledSchema(schema)(data, prefix)
  // A list of its own: callers add their own errors to it.
  return errors === NO_ERRORS ? [] : errors
}

export type SchemaCheck = (data: unknown, prefix?: string) => FieldError[]

const checks = new WeakMap<object, SchemaCheck>()

/**
 * schemaErrors bound to one schema, compiled now (hooks build theirs at setup, so no request compiles or
 * looks the validator up). Valid data answers a shared empty list, which callers must not change.
 */
export function compiledSchema(schema: TSchema): SchemaCheck {
  let check = checks.get(schema)
  if (check) return check
  const validate = ajv.compile(schema)
  check = (data, prefix = '') => (validate(data) ? NO_ERRORS : fieldErrors(validate.errors ?? [], prefix))
  checks.set(schema, check)
  return check
}

const NO_ERRORS: FieldError[] = Object.freeze([]) as unknown as FieldError[]

function fieldErrors(errors: NonNullable<ValidateFunction['errors']>, prefix: string): FieldError[] {
  return errors.map((error) => {
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
