// A compiled matcher for the filters the platform sends most (scalar equality, ranges, $in/$nin, $ne, $exists,
// $and/$or over plain fields). It answers only where the semantics are simple: when a path meets an array it
// returns undefined and the caller asks mingo, which implements the array rules. Comparisons follow MongoDB
// (type bracketing, numbers of every BSON numeric type compared by value).
import type { Document } from 'bson'
import { compareValues, rank } from './bson-order.ts'

// true / false, or undefined when the document needs the general matcher.
export type NativeFilter = (doc: Document) => boolean | undefined

const SCALAR_TYPES = new Set(['ObjectId', 'Long', 'Int32', 'Double', 'Decimal128'])

function isScalarOperand(value: unknown): boolean {
  if (value === null) return true
  const t = typeof value
  if (t === 'string' || t === 'number' || t === 'boolean') return true
  if (value instanceof Date) return true
  const bsonType = (value as { _bsontype?: string } | undefined)?._bsontype
  return bsonType !== undefined && SCALAR_TYPES.has(bsonType)
}

const ARRAY = Symbol('array')

// The value at a dotted path, or ARRAY when an array is met on the way (or at the end).
function read(doc: Document, parts: string[]): unknown {
  let value: unknown = doc
  for (const part of parts) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined
    if (Array.isArray(value)) return ARRAY
    value = (value as Document)[part]
  }
  return Array.isArray(value) ? ARRAY : value
}

function equals(value: unknown, operand: unknown): boolean {
  if (operand === null) return value === null || value === undefined
  if (value === undefined || value === null) return false
  if (typeof value === typeof operand && typeof value !== 'object')
    return value === operand || (Number.isNaN(value) && Number.isNaN(operand)) // NaN equals NaN in MongoDB
  return rank(value) === rank(operand) && compareValues(value, operand) === 0
}

type Test = (value: unknown) => boolean

function comparison(op: string, operand: unknown): Test {
  if (operand === null) {
    // null compares equal to null and missing only; $gt/$lt null match nothing.
    return op === '$gte' || op === '$lte' ? (v) => v === null || v === undefined : () => false
  }
  const bracket = rank(operand)
  const check =
    op === '$gt'
      ? (c: number) => c > 0
      : op === '$gte'
        ? (c: number) => c >= 0
        : op === '$lt'
          ? (c: number) => c < 0
          : (c: number) => c <= 0
  return (v) => v !== undefined && v !== null && rank(v) === bracket && check(compareValues(v, operand))
}

function operatorTest(op: string, operand: unknown): Test | null {
  switch (op) {
    case '$eq':
      return isScalarOperand(operand) ? (v) => equals(v, operand) : null
    case '$ne':
      return isScalarOperand(operand) ? (v) => !equals(v, operand) : null
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return isScalarOperand(operand) ? comparison(op, operand) : null
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand) || !operand.every(isScalarOperand)) return null
      const list = operand
      const some = (v: unknown) => list.some((x) => equals(v, x))
      return op === '$in' ? some : (v) => !some(v)
    }
    case '$exists':
      if (typeof operand !== 'boolean' && typeof operand !== 'number') return null
      return operand ? (v) => v !== undefined : (v) => v === undefined
  }
  return null
}

function fieldMatcher(path: string, condition: unknown): NativeFilter | null {
  if (path.startsWith('$') || path.split('.').some((p) => p === '' || /^\d+$/.test(p))) return null
  const parts = path.split('.')
  let tests: Test[]
  if (
    condition !== null &&
    typeof condition === 'object' &&
    !Array.isArray(condition) &&
    Object.getPrototypeOf(condition) === Object.prototype
  ) {
    const entries = Object.entries(condition as Document)
    if (entries.length === 0 || !entries.every(([op]) => op.startsWith('$'))) return null
    tests = []
    for (const [op, operand] of entries) {
      const test = operatorTest(op, operand)
      if (!test) return null
      tests.push(test)
    }
  } else {
    if (!isScalarOperand(condition)) return null
    tests = [(v) => equals(v, condition)]
  }
  if (tests.length === 1) {
    const [test] = tests
    return (doc) => {
      const v = read(doc, parts)
      return v === ARRAY ? undefined : test(v)
    }
  }
  return (doc) => {
    const v = read(doc, parts)
    if (v === ARRAY) return undefined
    for (const test of tests) if (!test(v)) return false
    return true
  }
}

// null when the filter uses anything this matcher does not implement (the caller then uses mingo throughout).
export function compileNativeFilter(filter: Document): NativeFilter | null {
  const parts: NativeFilter[] = []
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) return null
      const subs: NativeFilter[] = []
      for (const sub of condition) {
        if (!sub || typeof sub !== 'object' || Array.isArray(sub)) return null
        const compiled = compileNativeFilter(sub as Document)
        if (!compiled) return null
        subs.push(compiled)
      }
      parts.push(combine(subs, key === '$or'))
      continue
    }
    const matcher = fieldMatcher(key, condition)
    if (!matcher) return null
    parts.push(matcher)
  }
  return combine(parts, false)
}

// $and (decisive false) and $or (decisive true): one decisive answer settles it; an undecided part leaves the
// whole undecided unless a decisive one follows.
function combine(parts: NativeFilter[], decisive: boolean): NativeFilter {
  if (parts.length === 1) return parts[0]
  return (doc) => {
    let unknown = false
    for (const part of parts) {
      const r = part(doc)
      if (r === decisive) return decisive
      if (r === undefined) unknown = true
    }
    return unknown ? undefined : !decisive
  }
}
