// Compiles the aggregation expressions hot in the platform's pipelines (field paths, literals, $cond, $ifNull,
// comparisons, arithmetic, $and/$or/$not, $median/$percentile over arrays) into closures. Anything else returns
// null at compile time; an operand outside the simple cases (Decimal128, strings in arithmetic, ...) throws
// NATIVE_FALLBACK at run time. Either way the stage is then run by mingo, so semantics never silently change.
import type { Document } from 'bson'
import { compareValues } from '../bson-order.ts'
import { numericValue, percentileOf } from './percentile.ts'

export type Expr = (doc: Document) => unknown

export const NATIVE_FALLBACK = new Error('expression needs the general aggregation engine')

// MongoDB's aggregation order puts a missing value below null; comparisons see them as different.
export function compareAgg(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1
  return compareValues(a, b)
}

export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false
  if (typeof value === 'number') return value !== 0
  if (typeof value === 'object' && (value as { _bsontype?: string })._bsontype !== undefined) {
    const type = (value as { _bsontype: string })._bsontype
    if (type === 'Decimal128' || type === 'Long' || type === 'Int32' || type === 'Double')
      return Number(String(value)) !== 0
  }
  return true
}

// Field path with MongoDB's array traversal: `$a.b` over an array of objects yields the array of their `b`.
export function pathReader(path: string): Expr {
  const parts = path.split('.')
  if (parts.length === 1) {
    const [field] = parts
    return (doc) => doc[field]
  }
  return (doc) => walk(doc, parts, 0)
}

function walk(value: unknown, parts: string[], i: number): unknown {
  if (i === parts.length) return value
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (const element of value) {
      if (element === null || typeof element !== 'object') continue
      const v = walk(element, parts, i)
      if (v !== undefined) out.push(v)
    }
    return out
  }
  if (value === null || typeof value !== 'object') return undefined
  return walk((value as Document)[parts[i]], parts, i + 1)
}

function isPlainObject(value: unknown): value is Document {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  )
}

export function compileExpression(expr: unknown): Expr | null {
  if (typeof expr === 'string') {
    if (expr === '$$ROOT' || expr === '$$CURRENT') return (doc) => doc
    if (expr.startsWith('$$ROOT.') || expr.startsWith('$$CURRENT.'))
      return pathReader(expr.slice(expr.indexOf('.') + 1))
    if (expr.startsWith('$$')) return null
    if (expr.startsWith('$')) return expr.length > 1 ? pathReader(expr.slice(1)) : null
    return () => expr
  }
  if (Array.isArray(expr)) {
    const items = compileAll(expr)
    return items ? (doc) => items.map((item) => item(doc)) : null
  }
  if (!isPlainObject(expr)) return () => expr
  const keys = Object.keys(expr)
  if (keys.length === 1 && keys[0].startsWith('$')) return compileOperator(keys[0], expr[keys[0]])
  if (keys.some((k) => k.startsWith('$') || k.includes('.'))) return null
  const fields = keys.map((k) => [k, compileExpression(expr[k])] as const)
  if (fields.some(([, f]) => !f)) return null
  return (doc) => {
    const out: Document = {}
    for (const [k, f] of fields) {
      const v = f!(doc)
      if (v !== undefined) out[k] = v
    }
    return out
  }
}

function compileAll(list: unknown[]): Expr[] | null {
  const out: Expr[] = []
  for (const item of list) {
    const compiled = compileExpression(item)
    if (!compiled) return null
    out.push(compiled)
  }
  return out
}

function argList(args: unknown, count?: number): Expr[] | null {
  const list = Array.isArray(args) ? args : [args]
  if (count !== undefined && list.length !== count) return null
  return compileAll(list)
}

// Plain JS numbers only; Long/Decimal128 results need exact typing, which mingo provides.
function numeric(value: unknown): number | null {
  if (typeof value === 'number') return value
  if (value === null || value === undefined) return null
  throw NATIVE_FALLBACK
}

const COMPARISONS: Record<string, (c: number) => boolean> = {
  $eq: (c) => c === 0,
  $ne: (c) => c !== 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0
}

function compileOperator(op: string, args: unknown): Expr | null {
  if (op === '$literal') return () => args
  if (op in COMPARISONS) {
    const pair = argList(args, 2)
    if (!pair) return null
    const [a, b] = pair
    const test = COMPARISONS[op]
    return (doc) => test(compareAgg(a(doc), b(doc)))
  }
  switch (op) {
    case '$cond': {
      const parts = isPlainObject(args) ? [args.if, args.then, args.else] : args
      if (!Array.isArray(parts) || parts.length !== 3) return null
      const compiled = compileAll(parts)
      if (!compiled) return null
      const [test, then, otherwise] = compiled
      return (doc) => (isTruthy(test(doc)) ? then(doc) : otherwise(doc))
    }
    case '$ifNull': {
      const list = argList(args)
      if (!list || list.length < 2) return null
      return (doc) => {
        for (let i = 0; i < list.length - 1; i++) {
          const v = list[i](doc)
          if (v !== null && v !== undefined) return v
        }
        return list[list.length - 1](doc)
      }
    }
    case '$and':
    case '$or': {
      const list = argList(args)
      if (!list) return null
      return op === '$and'
        ? (doc) => list.every((e) => isTruthy(e(doc)))
        : (doc) => list.some((e) => isTruthy(e(doc)))
    }
    case '$not': {
      const list = argList(args, 1)
      return list ? (doc) => !isTruthy(list[0](doc)) : null
    }
    case '$add':
      return compileAdd(args)
    case '$subtract':
      return compileSubtract(args)
    case '$multiply':
    case '$divide': {
      const list = argList(args)
      if (!list || (op === '$divide' && list.length !== 2)) return null
      return (doc) => {
        const values = list.map((e) => numeric(e(doc)))
        if (values.some((v) => v === null)) return null
        if (op === '$multiply') return (values as number[]).reduce((x, y) => x * y, 1)
        if (values[1] === 0) throw NATIVE_FALLBACK // mingo/MongoDB report the division by zero
        return (values[0] as number) / (values[1] as number)
      }
    }
    case '$median':
    case '$percentile':
      return compileArrayPercentile(op, args)
  }
  return null
}

function compileAdd(args: unknown): Expr | null {
  const list = argList(args)
  if (!list) return null
  return (doc) => {
    let sum = 0
    let date = false
    for (const e of list) {
      const v = e(doc)
      if (v === null || v === undefined) return null
      if (v instanceof Date) {
        if (date) throw NATIVE_FALLBACK
        date = true
        sum += v.getTime()
      } else sum += numeric(v) as number
    }
    return date ? new Date(sum) : sum
  }
}

function compileSubtract(args: unknown): Expr | null {
  const pair = argList(args, 2)
  if (!pair) return null
  const [a, b] = pair
  return (doc) => {
    const x = a(doc)
    const y = b(doc)
    if (x === null || x === undefined || y === null || y === undefined) return null
    if (x instanceof Date) {
      if (y instanceof Date) return x.getTime() - y.getTime()
      return new Date(x.getTime() - (numeric(y) as number))
    }
    if (y instanceof Date) throw NATIVE_FALLBACK
    return (numeric(x) as number) - (numeric(y) as number)
  }
}

// $median / $percentile as expressions: over the numeric elements of an array input.
function compileArrayPercentile(op: string, args: unknown): Expr | null {
  if (!isPlainObject(args)) return null
  const input = compileExpression(args.input)
  if (!input) return null
  const ps = op === '$median' ? [0.5] : args.p
  if (!Array.isArray(ps) || !ps.every((p) => typeof p === 'number' && p >= 0 && p <= 1)) return null
  return (doc) => {
    const raw = input(doc)
    const values: number[] = []
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      const n = numericValue(v)
      if (n !== null) values.push(n)
    }
    const sorted = Float64Array.from(values).sort()
    const results = ps.map((p: number) => percentileOf(sorted, p))
    return op === '$median' ? results[0] : results
  }
}
