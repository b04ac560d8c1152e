// Picks the index answering a filter: leading equality fields (including $in and $and), then a range on the next
// field, and whether walking it in key order yields the requested sort (so sort + limit can stop early).
import type { Document } from 'bson'
import type { IndexMap, IndexScan, KeyBound } from './index-map.ts'
import { bracketBounds, encodeKey, isIndexableEquality, NULL_KEY } from './key-encoding.ts'

export interface Plan extends IndexScan {
  index: IndexMap | null
  // True when the scan returns documents in the requested sort order (directions set accordingly).
  sorted: boolean
  // An OR plan (index null): one index scan per branch of a top-level $or, candidates deduplicated.
  branches?: Plan[]
}

const NO_PLAN: Plan = { index: null, prefix: [], sorted: false }

// Beyond this many point lookups (an $in list on a unique index), a unique index is only as good as its
// equality fields: a selective prefix of another index may read fewer keys (mongod would race the two).
const MAX_UNIQUE_LOOKUPS = 64

export function equalityFields(filter: Document, out = new Map<string, string[]>()): Map<string, string[]> {
  for (const [field, value] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(value)) {
      for (const sub of value) if (sub && typeof sub === 'object') equalityFields(sub, out)
      continue
    }
    if (field.startsWith('$') || out.has(field)) continue
    const choices = equalityChoices(value)
    if (choices) out.set(field, choices)
  }
  return out
}

function plainOperators(value: unknown): Document | null {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof RegExp) return null
  return Object.getPrototypeOf(value) === Object.prototype ? (value as Document) : null
}

// `null` matches a missing or null field, or an array holding null: documents an index keeps under NULL_KEY
// (with `[]` and other misses the document test then removes), so it is an equality the index can answer.
function isKeyableEquality(value: unknown): boolean {
  return value === null || isIndexableEquality(value)
}

function equalityChoices(value: unknown): string[] | null {
  if (isKeyableEquality(value)) return [encodeKey(value)]
  const ops = plainOperators(value)
  if (!ops) return null
  if ('$eq' in ops && isKeyableEquality(ops.$eq)) return [encodeKey(ops.$eq)]
  if (Array.isArray(ops.$in) && ops.$in.length > 0 && ops.$in.every(isKeyableEquality)) {
    return [...new Set(ops.$in.map(encodeKey))]
  }
  return null
}

// Bounds of `{ $gt/$gte/$lt/$lte }` on one field (top level or inside $and), kept within the operand's type
// bracket as MongoDB's comparison operators are. Null when the field has no usable range.
export function rangeBounds(filter: Document, field: string): { low: KeyBound; high: KeyBound } | null {
  const conditions: Document[] = []
  const collect = (f: Document) => {
    const ops = plainOperators(f[field])
    if (ops) conditions.push(ops)
    if (Array.isArray(f.$and)) for (const sub of f.$and) if (plainOperators(sub)) collect(sub as Document)
  }
  collect(filter)
  let low: KeyBound | null = null
  let high: KeyBound | null = null
  let bracket: string | null = null
  for (const ops of conditions) {
    for (const [op, operand] of Object.entries(ops)) {
      if (op !== '$gt' && op !== '$gte' && op !== '$lt' && op !== '$lte') continue
      const bounds = bracketBounds(operand)
      if (!bounds) continue
      if (bracket !== null && bracket !== bounds.bracketLow) return null
      bracket = bounds.bracketLow
      const inclusive = op === '$gte' || op === '$lte'
      if (op === '$gt' || op === '$gte') {
        if (!low || bounds.key > low.key || (bounds.key === low.key && !inclusive))
          low = { key: bounds.key, inclusive }
      } else if (!high || bounds.key < high.key || (bounds.key === high.key && !inclusive))
        high = { key: bounds.key, inclusive }
      low ??= { key: bounds.bracketLow, inclusive: true }
      high ??= { key: bounds.bracketHigh, inclusive: false }
    }
  }
  return low && high ? { low, high } : null
}

// Sort fields an index walk must order after the equality prefix. A sort field is dropped only when this
// index binds it to one value and holds no arrays (not multikey): a document whose field is an array matching
// the equality sorts by its other elements, and a field the index does not hold may be such an array.
function sortSuffix(sort: Document | undefined, fixed: ReadonlySet<string>): [string, number][] | null {
  if (!sort) return []
  const out: [string, number][] = []
  for (const [field, dir] of Object.entries(sort)) {
    const direction = Number(dir)
    if (direction !== 1 && direction !== -1) return null
    if (fixed.has(field)) continue
    out.push([field, direction])
  }
  return out
}

function candidate(
  index: IndexMap,
  filter: Document,
  equalities: Map<string, string[]>,
  sort: Document | undefined
): { plan: Plan; score: number } | null {
  if (index.spec.partialFilterExpression) return null
  const prefix: string[][] = []
  for (const field of index.fields) {
    const choices = equalities.get(field)
    // A sparse index leaves out documents missing all its fields: it cannot answer null.
    if (!choices || (index.spec.sparse && choices.includes(NULL_KEY))) break
    prefix.push(choices)
  }
  const p = prefix.length
  const plan: Plan = { index, prefix, sorted: false }
  const exactOrder = index.orderExact && !index.multikey
  const fixed = new Set(
    index.multikey ? [] : index.fields.slice(0, p).filter((_, level) => prefix[level].length === 1)
  )
  const sortFields = sortSuffix(sort, fixed)
  if (exactOrder && p < index.fields.length) {
    const range = rangeBounds(filter, index.fields[p])
    if (range) {
      plan.low = range.low
      plan.high = range.high
    }
  }
  // An ordered walk yields sorted output only when every prefix level has one value and the sort fields are
  // exactly the index fields that follow it.
  if (exactOrder && sortFields && sortFields.length > 0 && prefix.every((c) => c.length === 1)) {
    const follows = sortFields.every(([field], i) => index.fields[p + i] === field)
    if (follows && p + sortFields.length <= index.fields.length && (p > 0 || !index.spec.sparse)) {
      plan.sorted = true
      plan.directions = sortFields.map(([, dir]) => dir)
    }
  }
  if (p === 0 && !plan.low && !plan.sorted) return null
  const complete = p === index.fields.length
  // A unique index whose every field is bound by equality finds at most one document per value (mongod's
  // IDHACK for `_id`): it beats any other plan, however many equality fields those match. Otherwise prefer more
  // equality fields, then a range, then the requested order, then a complete index, then the narrower one.
  // A field bound to null alone counts for little: most documents of a collection can lack a field (an index
  // led by it would hold them all under one key), so any other equality field is preferred to it.
  const nullOnly = prefix.filter((choices) => choices.length === 1 && choices[0] === NULL_KEY).length
  const lookups = prefix.reduce((product, choices) => product * choices.length, 1)
  const score =
    (complete && index.unique && lookups <= MAX_UNIQUE_LOOKUPS ? 10_000 : 0) +
    (p - nullOnly) * 100 +
    nullOnly * 10 +
    (plan.low ? 40 : 0) +
    (plan.sorted ? 20 : 0) +
    (complete ? 10 : 0) -
    // Among otherwise equal plans, fewer point lookups ($in values), then the narrower index.
    Math.min(lookups - 1, 9) -
    index.fields.length
  return { plan, score }
}

export function planQuery(filter: Document, indexes: Iterable<IndexMap>, sort?: Document): Plan {
  const all = [...indexes]
  const { plan, score } = bestPlan(filter, all, sort)
  if (plan.sorted || !Array.isArray(filter.$or)) return plan
  return orPlan(filter, all, score) ?? plan
}

function bestPlan(filter: Document, indexes: IndexMap[], sort?: Document): { plan: Plan; score: number } {
  const equalities = equalityFields(filter)
  const requested = sort && Object.keys(sort).length > 0 ? sort : undefined
  let best = NO_PLAN
  let bestScore = Number.NEGATIVE_INFINITY
  for (const index of indexes) {
    const found = candidate(index, filter, equalities, requested)
    if (found && found.score > bestScore) {
      bestScore = found.score
      best = found.plan
    }
  }
  return { plan: best, score: bestScore }
}

/** Most $or branches planned one by one (beyond, one plan for the whole filter). */
const MAX_OR_BRANCHES = 16

/**
 * A top-level $or whose every branch (with the filter's other conditions, as mongod's contained-$or
 * planning does) has an index plan better than the whole filter's: one scan per branch, like mongod's OR
 * stage, instead of walking the shared prefix and testing every document against the $or.
 */
function orPlan(filter: Document, indexes: IndexMap[], wholeScore: number): Plan | null {
  const branches = filter.$or as unknown[]
  if (branches.length === 0 || branches.length > MAX_OR_BRANCHES) return null
  const { $or: _or, ...rest } = filter
  const plans: Plan[] = []
  for (const branch of branches) {
    if (!plainOperators(branch)) return null
    const { plan, score } = bestPlan({ $and: [rest, branch] }, indexes)
    if (!plan.index || score <= wholeScore) return null
    plans.push(plan)
  }
  return { index: null, prefix: [], sorted: false, branches: plans }
}
