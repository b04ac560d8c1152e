// The board's filters (masterclass, source, owner, status, created date range) parsed from a query string
// once, for the board, the CSV export and the metrics: unknown keys and non-string values are refused.
import { type FieldError, queryNotAllowed } from '@masterstage/core'
import { LEAD_STATUSES, type LeadStatus } from '../contract.ts'

export interface LeadFilters {
  masterclassId?: string
  source?: string
  ownerId?: string
  status?: LeadStatus
  from?: Date
  to?: Date
}

const FILTER_KEYS = ['masterclassId', 'source', 'ownerId', 'status', 'from', 'to'] as const
const PLAIN = /^[\p{L}\p{N} ._+%/:@-]{1,100}$/u

/** `extraKeys` are other keys the caller handles itself (paging, dimension). */
export function parseLeadFilters(query: unknown, extraKeys: readonly string[] = []): LeadFilters {
  const source = (query ?? {}) as Record<string, unknown>
  const errors: FieldError[] = []
  const filters: LeadFilters = {}
  for (const [key, value] of Object.entries(source)) {
    if (extraKeys.includes(key)) continue
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      errors.push({ path: key, message: 'is not a filter' })
      continue
    }
    if (value === undefined || value === '') continue
    if (typeof value !== 'string' || !PLAIN.test(value)) {
      errors.push({ path: key, message: 'must be a plain value' })
      continue
    }
    if (key === 'from' || key === 'to') {
      const date = new Date(value)
      if (Number.isNaN(date.getTime())) errors.push({ path: key, message: 'must be a date (ISO 8601)' })
      else filters[key] = date
    } else if (key === 'status') {
      if ((LEAD_STATUSES as readonly string[]).includes(value)) filters.status = value as LeadStatus
      else errors.push({ path: key, message: `must be one of ${LEAD_STATUSES.join(', ')}` })
    } else {
      filters[key as 'masterclassId' | 'source' | 'ownerId'] = value
    }
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    errors.push({ path: 'to', message: 'must not be before from' })
  }
  if (errors.length > 0) throw queryNotAllowed('Invalid filters', errors)
  return filters
}

/**
 * The MongoDB condition for leads (plain object: aggregation `$match`, or wrapped by the caller with
 * mongoose.trusted for queries). The tenant condition is added by core's data layer, never here.
 */
export function leadMatch(filters: LeadFilters): Record<string, unknown> {
  const match: Record<string, unknown> = {}
  if (filters.masterclassId) match.masterclassId = filters.masterclassId
  if (filters.source) match['source.utmSource'] = filters.source
  if (filters.ownerId) match.assignedToId = filters.ownerId
  if (filters.status) match.status = filters.status
  if (filters.from || filters.to) {
    match.createdAt = {
      ...(filters.from && { $gte: filters.from }),
      ...(filters.to && { $lt: filters.to })
    }
  }
  return match
}
