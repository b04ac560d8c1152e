// Translates a (validated) Feathers query into mongoose filter, projection, sort and paging.
import mongoose from 'mongoose'

export interface TranslatedQuery {
  filter: Record<string, unknown>
  sort?: Record<string, 1 | -1>
  skip: number
  limit?: number
  select?: string[]
  populate: string[]
}

function toList(value: unknown): unknown[] {
  if (value == null) return []
  if (Array.isArray(value)) return value
  if (typeof value === 'object') return Object.values(value)
  return typeof value === 'string' ? value.split(',') : [value]
}

function toInteger(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const parsed = typeof value === 'number' ? value : Number.parseInt(String(value), 10)
  return Number.isFinite(parsed) && parsed >= 0 ? Math.floor(parsed) : undefined
}

/**
 * Operator objects are wrapped in mongoose.trusted(): the connection sanitizes filters, and by now
 * the query is either internal (trusted code) or has passed its service's closed query schema.
 */
export function toMongoFilter(query: Record<string, unknown>): Record<string, unknown> {
  const filter: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query)) {
    if (key === '$or' || key === '$and' || key === '$nor') {
      filter[key] = toList(value).map((branch) => toMongoFilter((branch ?? {}) as Record<string, unknown>))
    } else if (
      value != null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !(value instanceof Date)
    ) {
      const operators = { ...(value as Record<string, unknown>) }
      for (const listOperator of ['$in', '$nin', '$all']) {
        if (listOperator in operators) operators[listOperator] = toList(operators[listOperator])
      }
      filter[key] = Object.keys(operators).some((k) => k.startsWith('$'))
        ? mongoose.trusted(operators)
        : operators
    } else {
      filter[key] = value
    }
  }
  return filter
}

export function translateQuery(
  query: Record<string, unknown> = {},
  paging: { defaultLimit?: number; maxLimit?: number } = {}
): TranslatedQuery {
  const { $limit, $skip, $sort, $select, $populate, ...conditions } = query
  let limit = toInteger($limit) ?? paging.defaultLimit
  if (paging.maxLimit !== undefined) limit = Math.min(limit ?? paging.maxLimit, paging.maxLimit)
  const sort: Record<string, 1 | -1> = {}
  if ($sort && typeof $sort === 'object') {
    for (const [field, direction] of Object.entries($sort)) sort[field] = Number(direction) === -1 ? -1 : 1
  }
  return {
    filter: toMongoFilter(conditions),
    sort: Object.keys(sort).length > 0 ? sort : undefined,
    skip: toInteger($skip) ?? 0,
    limit,
    select: $select === undefined ? undefined : toList($select).map(String),
    populate: toList($populate).map(String)
  }
}

/** Picks the selected fields (plus the id) from a result, as adapters do for create/patch/remove. */
export function pickSelected<T extends Record<string, unknown>>(
  record: T,
  select: string[] | undefined,
  id: string
): T {
  if (!select) return record
  const result: Record<string, unknown> = { [id]: record[id] }
  for (const field of select) if (field in record) result[field] = record[field]
  return result as T
}
