// Native $match, $sort, $skip, $limit, $count, $project and $set/$addFields for the shapes the platform uses;
// a null compile result hands the stage to mingo.
import type { Document } from 'bson'
import { sortComparator } from '../bson-order.ts'
import { compileNativeFilter } from '../native-filter.ts'
import { compileExpression, type Expr } from './expression.ts'
import type { Stage } from './group-stage.ts'

function isPlain(value: unknown): value is Document {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  )
}

// In $project and $set a nested object without an operator is a sub-projection / merge into the embedded
// document, not an object literal: left to mingo.
function isNestedSpec(value: unknown): boolean {
  return isPlain(value) && !Object.keys(value).some((k) => k.startsWith('$'))
}

function compileMatch(
  spec: unknown,
  fallback: (filter: Document) => (doc: Document) => boolean
): Stage | null {
  if (!isPlain(spec)) return null
  const native = compileNativeFilter(spec)
  if (!native) return null
  let general: ((doc: Document) => boolean) | null = null
  return (docs) =>
    docs.filter((doc) => {
      const decided = native(doc)
      if (decided !== undefined) return decided
      general ??= fallback(spec)
      return general(doc)
    })
}

function compileSort(spec: unknown): Stage | null {
  if (!isPlain(spec) || Object.keys(spec).length === 0) return null
  const comparator = sortComparator(spec)
  return comparator ? (docs) => docs.slice().sort(comparator) : null
}

function positiveInteger(value: unknown, allowZero: boolean): value is number {
  return typeof value === 'number' && Number.isInteger(value) && (allowZero ? value >= 0 : value > 0)
}

function compileCount(name: unknown): Stage | null {
  if (typeof name !== 'string' || name.length === 0 || name.startsWith('$') || name.includes('.')) return null
  // No input, no output document (MongoDB does not emit a zero count).
  return (docs) => (docs.length === 0 ? [] : [{ [name]: docs.length }])
}

// Top-level fields only: inclusion (1/true), exclusion (0/false) or a computed expression.
function compileProject(spec: unknown): Stage | null {
  if (!isPlain(spec) || Object.keys(spec).length === 0) return null
  let includeId = true
  const included: string[] = []
  const excluded: string[] = []
  const computed: [string, Expr][] = []
  for (const [field, value] of Object.entries(spec)) {
    if (field.includes('.') || field.startsWith('$')) return null
    if (value === 1 || value === true || value === 0 || value === false) {
      const keep = value === 1 || value === true
      if (field === '_id') includeId = keep
      else (keep ? included : excluded).push(field)
      continue
    }
    if (typeof value === 'number' || typeof value === 'boolean' || isNestedSpec(value)) return null
    const expr = compileExpression(value)
    if (!expr) return null
    computed.push([field, expr])
  }
  if (excluded.length > 0 && (included.length > 0 || computed.length > 0)) return null
  if (excluded.length > 0 || (included.length === 0 && computed.length === 0)) {
    const drop = new Set(excluded)
    if (!includeId) drop.add('_id')
    return (docs) =>
      docs.map((doc) => {
        const out: Document = {}
        for (const key of Object.keys(doc)) if (!drop.has(key)) out[key] = doc[key]
        return out
      })
  }
  return (docs) =>
    docs.map((doc) => {
      const out: Document = {}
      if (includeId && doc._id !== undefined) out._id = doc._id
      for (const field of included) if (doc[field] !== undefined) out[field] = doc[field]
      for (const [field, expr] of computed) {
        const v = expr(doc)
        if (v !== undefined) out[field] = v
      }
      return out
    })
}

function compileSet(spec: unknown): Stage | null {
  if (!isPlain(spec) || Object.keys(spec).length === 0) return null
  const computed: [string, Expr][] = []
  for (const [field, value] of Object.entries(spec)) {
    if (field.includes('.') || field.startsWith('$') || isNestedSpec(value)) return null
    const expr = compileExpression(value)
    if (!expr) return null
    computed.push([field, expr])
  }
  return (docs) =>
    docs.map((doc) => {
      const out: Document = { ...doc }
      for (const [field, expr] of computed) {
        const v = expr(doc)
        if (v === undefined) delete out[field]
        else out[field] = v
      }
      return out
    })
}

export function compileSimpleStage(
  name: string,
  spec: unknown,
  matcher: (filter: Document) => (doc: Document) => boolean
): Stage | null {
  switch (name) {
    case '$match':
      return compileMatch(spec, matcher)
    case '$sort':
      return compileSort(spec)
    case '$skip':
      return positiveInteger(spec, true) ? (docs) => docs.slice(spec) : null
    case '$limit':
      return positiveInteger(spec, false) ? (docs) => docs.slice(0, spec) : null
    case '$count':
      return compileCount(spec)
    case '$project':
      return compileProject(spec)
    case '$set':
    case '$addFields':
      return compileSet(spec)
  }
  return null
}
