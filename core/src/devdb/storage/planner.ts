// Picks the index answering a filter's leading equality fields (including $in and $and), or a collection scan.
import type { Document } from 'bson'
import type { IndexMap } from './index-map.ts'
import { encodeKey, isIndexableEquality } from './key-encoding.ts'

export interface Plan {
  index: IndexMap | null
  prefix: string[][]
}

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

function equalityChoices(value: unknown): string[] | null {
  if (isIndexableEquality(value)) return [encodeKey(value)]
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof RegExp) return null
  const ops = value as Document
  if (Object.getPrototypeOf(ops) !== Object.prototype) return null
  if ('$eq' in ops && isIndexableEquality(ops.$eq)) return [encodeKey(ops.$eq)]
  if (Array.isArray(ops.$in) && ops.$in.length > 0 && ops.$in.every(isIndexableEquality)) {
    return [...new Set(ops.$in.map(encodeKey))]
  }
  return null
}

export function planQuery(filter: Document, indexes: Iterable<IndexMap>): Plan {
  const equalities = equalityFields(filter)
  let best: Plan = { index: null, prefix: [] }
  if (equalities.size === 0) return best
  let bestScore = 0
  for (const index of indexes) {
    if (index.spec.partialFilterExpression) continue
    const prefix: string[][] = []
    for (const field of index.fields) {
      const choices = equalities.get(field)
      if (!choices) break
      prefix.push(choices)
    }
    if (prefix.length === 0) continue
    const complete = prefix.length === index.fields.length
    // Prefer more equality fields, then a fully matched unique index, then the narrower index.
    const score =
      prefix.length * 100 + (complete && index.unique ? 50 : 0) + (complete ? 10 : 0) - index.fields.length
    if (score > bestScore) {
      bestScore = score
      best = { index, prefix }
    }
  }
  return best
}
