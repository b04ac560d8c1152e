// Closed query schemas: each service declares which fields clients may filter, sort and select and with
// which operators. Everything else (unknown fields, $where/$expr/$regex/$nor, objects where a value is
// expected, secret fields) is refused with a field-level 400 before a query reaches MongoDB.
import type { FeathersError } from '@feathersjs/errors'
import type { HookContext, NextFunction } from '../app/declarations.ts'
import type { FieldError } from '../errors/codes.ts'
import { queryNotAllowed } from '../errors/codes.ts'

export const COMPARISON_OPERATORS = ['$eq', '$ne', '$in', '$nin', '$lt', '$lte', '$gt', '$gte'] as const
export type QueryOperator = (typeof COMPARISON_OPERATORS)[number]

export interface QuerySchema {
  /** Filterable fields and their allowed operators; plain equality (`?status=open`) is always allowed. */
  fields: Readonly<Record<string, readonly QueryOperator[]>>
  /** Fields clients may sort by. */
  sort?: readonly string[]
  /** Fields clients may `$select`; default: any non-secret field. */
  select?: readonly string[]
  /** Paths clients may `$populate` (refused otherwise). */
  populate?: readonly string[]
  /** Allow `$or`/`$and` over the whitelisted fields (default true). */
  combinators?: boolean
  /** Upper bound for `$limit` (in addition to the service's paginate.max). */
  maxLimit?: number
}

/** Nothing filterable: the default for external queries of a service that declares no schema. */
export const CLOSED_QUERY: QuerySchema = { fields: {} }

export function defineQuerySchema<const S extends QuerySchema>(schema: S): S {
  return schema
}

const MAX_IN_VALUES = 200
const MAX_COMBINATOR_DEPTH = 2

export interface QueryCheckOptions {
  /** Paths that must never be selected, filtered or sorted (secret fields). */
  secretPaths?: readonly string[]
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
}

function isScalar(value: unknown): boolean {
  return value === null || value instanceof Date || ['string', 'number', 'boolean'].includes(typeof value)
}

function isSecret(path: string, secretPaths: readonly string[]): boolean {
  return secretPaths.some(
    (secret) => secret === path || secret.startsWith(`${path}.`) || path.startsWith(`${secret}.`)
  )
}

function isNonNegativeInteger(value: unknown): boolean {
  return (
    (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
    (typeof value === 'string' && /^\d{1,9}$/.test(value))
  )
}

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (isPlainObject(value)) return Object.values(value) // qs turns `$select[0]=a` into an array, `$select[a]=` into an object
  return typeof value === 'string' ? value.split(',') : [value]
}

/** Returns every problem at once; an empty list means the query is allowed. */
export function checkQuery(
  query: unknown,
  schema: QuerySchema,
  options: QueryCheckOptions = {}
): FieldError[] {
  const errors: FieldError[] = []
  if (query == null) return errors
  if (!isPlainObject(query)) return [{ path: 'query', message: 'must be an object' }]
  const secretPaths = options.secretPaths ?? []
  for (const [key, value] of Object.entries(query)) {
    switch (key) {
      case '$limit':
      case '$skip':
        if (!isNonNegativeInteger(value))
          errors.push({ path: key, message: 'must be a non-negative integer' })
        break
      case '$sort':
        checkSort(value, schema, secretPaths, errors)
        break
      case '$select':
        checkSelect(value, schema, secretPaths, errors)
        break
      case '$populate':
        for (const path of asList(value)) {
          if (typeof path !== 'string' || !schema.populate?.includes(path)) {
            errors.push({ path: '$populate', message: `populating '${String(path)}' is not allowed` })
          }
        }
        break
      default:
        checkCondition(key, value, schema, secretPaths, errors, 0, key)
    }
  }
  return errors
}

function checkSort(
  value: unknown,
  schema: QuerySchema,
  secretPaths: readonly string[],
  errors: FieldError[]
): void {
  if (!isPlainObject(value)) {
    errors.push({ path: '$sort', message: 'must be an object of field: 1 | -1' })
    return
  }
  for (const [field, direction] of Object.entries(value)) {
    if (!schema.sort?.includes(field) || isSecret(field, secretPaths)) {
      errors.push({ path: `$sort.${field}`, message: `sorting by '${field}' is not allowed` })
    } else if (![1, -1, '1', '-1'].includes(direction as any)) {
      errors.push({ path: `$sort.${field}`, message: 'must be 1 or -1' })
    }
  }
}

function checkSelect(
  value: unknown,
  schema: QuerySchema,
  secretPaths: readonly string[],
  errors: FieldError[]
): void {
  for (const field of asList(value)) {
    if (
      typeof field !== 'string' ||
      field.startsWith('$') ||
      field.startsWith('+') ||
      field.startsWith('-')
    ) {
      errors.push({ path: '$select', message: `'${String(field)}' is not a field name` })
    } else if (isSecret(field, secretPaths)) {
      errors.push({ path: '$select', message: `'${field}' cannot be selected` })
    } else if (schema.select && !schema.select.includes(field)) {
      errors.push({ path: '$select', message: `selecting '${field}' is not allowed` })
    }
  }
}

function checkCondition(
  key: string,
  value: unknown,
  schema: QuerySchema,
  secretPaths: readonly string[],
  errors: FieldError[],
  depth: number,
  path: string
): void {
  if (key === '$or' || key === '$and') {
    if (schema.combinators === false || depth >= MAX_COMBINATOR_DEPTH) {
      errors.push({ path, message: `${key} is not allowed here` })
      return
    }
    const branches = asList(value)
    if (branches.length === 0 || branches.length > 20) {
      errors.push({ path, message: `${key} needs 1 to 20 conditions` })
      return
    }
    branches.forEach((branch, index) => {
      if (!isPlainObject(branch)) {
        errors.push({ path: `${path}.${index}`, message: 'must be an object of conditions' })
        return
      }
      for (const [innerKey, innerValue] of Object.entries(branch)) {
        checkCondition(
          innerKey,
          innerValue,
          schema,
          secretPaths,
          errors,
          depth + 1,
          `${path}.${index}.${innerKey}`
        )
      }
    })
    return
  }
  if (key.startsWith('$')) {
    errors.push({ path, message: `operator ${key} is not allowed` })
    return
  }
  const allowed = schema.fields[key]
  if (!allowed || isSecret(key, secretPaths)) {
    errors.push({ path, message: `filtering by '${key}' is not allowed` })
    return
  }
  if (isScalar(value)) return
  if (!isPlainObject(value)) {
    errors.push({ path, message: 'must be a value or an object of operators' })
    return
  }
  for (const [operator, operand] of Object.entries(value)) {
    const operatorPath = `${path}.${operator}`
    if (!operator.startsWith('$')) {
      errors.push({ path: operatorPath, message: 'nested objects are not allowed in queries' })
    } else if (!(allowed as readonly string[]).includes(operator)) {
      errors.push({ path: operatorPath, message: `operator ${operator} is not allowed for '${key}'` })
    } else if (operator === '$in' || operator === '$nin') {
      const list = asList(operand)
      if (list.length > MAX_IN_VALUES)
        errors.push({ path: operatorPath, message: `at most ${MAX_IN_VALUES} values` })
      else if (!list.every(isScalar)) errors.push({ path: operatorPath, message: 'must be a list of values' })
    } else if (!isScalar(operand)) {
      errors.push({ path: operatorPath, message: 'must be a single value' })
    }
  }
}

/** Throws a 400 QUERY_NOT_ALLOWED naming every offending field. */
export function assertQueryAllowed(
  query: unknown,
  schema: QuerySchema,
  options: QueryCheckOptions = {}
): void {
  const errors = checkQuery(query, schema, options)
  if (errors.length > 0) throw queryError(errors)
}

function queryError(errors: FieldError[]): FeathersError {
  return queryNotAllowed(
    `Query not allowed: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    errors
  )
}

/** Hook form, for services not built on MongooseService: checks external calls only. */
export function validateQuery(schema: QuerySchema, options: QueryCheckOptions = {}) {
  return async (context: HookContext, next?: NextFunction) => {
    if (context.params.provider) assertQueryAllowed(context.params.query, schema, options)
    if (next) await next()
  }
}
