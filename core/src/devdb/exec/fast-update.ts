// Direct application of the most common update shape ($set/$unset/$inc/$addToSet on top-level fields), skipping mingo's
// per-call setup; anything else returns undefined and goes through mingo.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { cloneValue } from '../storage/bson-clone.ts'
import { encodeKey } from '../storage/key-encoding.ts'

const FAST_OPERATORS = new Set(['$set', '$unset', '$inc', '$addToSet'])

function simpleField(field: string): boolean {
  return field.length > 0 && !field.includes('.') && !field.startsWith('$') && field !== '_id'
}

// Returns [newDoc, changed], or undefined when the update is not in the fast subset.
export function tryFastUpdate(doc: Document, ops: Document): [Document, boolean] | undefined {
  const seen = new Set<string>()
  for (const op of Object.keys(ops)) {
    if (!FAST_OPERATORS.has(op)) return undefined
    for (const field of Object.keys(ops[op] as Document)) {
      if (!simpleField(field) || seen.has(field)) return undefined
      seen.add(field)
      if (op === '$inc') {
        const amount = (ops.$inc as Document)[field]
        const current = doc[field]
        if (typeof amount !== 'number' || (current !== undefined && typeof current !== 'number'))
          return undefined
      }
      if (
        op === '$addToSet' &&
        (addedValues((ops.$addToSet as Document)[field]) === undefined || !arrayOrMissing(doc[field]))
      )
        return undefined
    }
  }
  const next: Document = { ...doc }
  let changed = false
  for (const [field, value] of Object.entries((ops.$set as Document) ?? {})) {
    if (!(field in next) || encodeKey(next[field]) !== encodeKey(value)) changed = true
    next[field] = cloneValue(value)
  }
  for (const field of Object.keys((ops.$unset as Document) ?? {})) {
    if (field in next) {
      delete next[field]
      changed = true
    }
  }
  for (const [field, amount] of Object.entries((ops.$inc as Document) ?? {})) {
    const sum = ((next[field] as number | undefined) ?? 0) + (amount as number)
    if (next[field] !== sum || !(field in next)) changed = true
    next[field] = sum
  }
  for (const [field, spec] of Object.entries((ops.$addToSet as Document) ?? {})) {
    const current = (next[field] as unknown[] | undefined) ?? []
    const present = new Set(current.map((value) => encodeKey(value)))
    const added: unknown[] = []
    for (const value of addedValues(spec) ?? []) {
      const key = encodeKey(value)
      if (present.has(key)) continue
      present.add(key)
      added.push(cloneValue(value))
    }
    if (added.length > 0 || !(field in next)) changed = true
    next[field] = added.length > 0 ? [...current, ...added] : current
  }
  return [next, changed]
}

function arrayOrMissing(value: unknown): boolean {
  return value === undefined || Array.isArray(value)
}

// The values one $addToSet field adds: {$each: [...]} or a single value. Only scalars (and Dates, ObjectIds)
// take the fast path: their index keys are unambiguous, so key equality is MongoDB equality.
function addedValues(spec: unknown): unknown[] | undefined {
  let values: unknown[] = [spec]
  if (spec && typeof spec === 'object' && !Array.isArray(spec) && '$each' in (spec as Document)) {
    const each = (spec as Document).$each
    if (Object.keys(spec as Document).length !== 1 || !Array.isArray(each)) return undefined
    values = each
  }
  return values.every(isScalar) ? values : undefined
}

function isScalar(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return value !== undefined
  return value instanceof Date || (value as { _bsontype?: string })._bsontype !== undefined
}

// mingo silently skips arithmetic on non-numeric fields; MongoDB refuses it.
export function checkArithmeticTargets(doc: Document, ops: Document): void {
  for (const op of ['$inc', '$mul'] as const) {
    const spec = ops[op] as Document | undefined
    if (!spec) continue
    for (const [path, amount] of Object.entries(spec)) {
      if (!isNumeric(amount)) {
        throw commandError(
          ErrorCodes.TypeMismatch,
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(amount)}}`
        )
      }
      if (path.includes('$')) continue
      let value: unknown = doc
      for (const part of path.split('.'))
        value = value && typeof value === 'object' ? (value as Document)[part] : undefined
      if (value !== undefined && !isNumeric(value)) {
        throw commandError(
          ErrorCodes.TypeMismatch,
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${JSON.stringify(doc._id)}} has the field '${path.split('.').pop()}' of non-numeric type ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`
        )
      }
    }
  }
}

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true
  const t = (v as { _bsontype?: string } | null)?._bsontype
  return t === 'Long' || t === 'Int32' || t === 'Double' || t === 'Decimal128'
}

// mingo also applies $push/$addToSet to a non-array field without complaint; MongoDB refuses it.
export function checkArrayTargets(doc: Document, ops: Document): void {
  for (const op of ['$push', '$addToSet'] as const) {
    const spec = ops[op] as Document | undefined
    if (!spec) continue
    for (const path of Object.keys(spec)) {
      if (path.includes('$')) continue
      let value: unknown = doc
      for (const part of path.split('.'))
        value = value && typeof value === 'object' ? (value as Document)[part] : undefined
      if (value === undefined || Array.isArray(value)) continue
      const type = value === null ? 'null' : typeof value
      throw commandError(
        ErrorCodes.BadValue,
        op === '$push'
          ? `The field '${path}' must be an array but is of type ${type} in document {_id: ${JSON.stringify(doc._id)}}`
          : `Cannot apply $addToSet to non-array field. Field named '${path.split('.').pop()}' has non-array type ${type}`
      )
    }
  }
}
