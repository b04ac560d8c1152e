// Sales metrics as MongoDB aggregation pipelines over indexed fields (the data layer prepends the tenant
// $match): funnel reach per stage from leads, revenue from booked payment entries, time in stage from
// history. Nothing is loaded into memory beyond one row per group.
import type { LeadStatus, MetricsDimension } from '../contract.ts'
import type { LeadFilters } from '../domain/lead-filters.ts'
import { FUNNEL } from '../domain/transition-table.ts'

export interface MetricsPeriod {
  from: Date
  to: Date
}

/** Field holding the dimension, on leads and on the denormalized history/revenue entries. */
const LEAD_DIMENSION: Record<MetricsDimension, string> = {
  source: '$source.utmSource',
  masterclass: '$masterclassId',
  rep: '$assignedToId'
}
const ENTRY_DIMENSION: Record<MetricsDimension, string> = {
  source: '$utmSource',
  masterclass: '$masterclassId',
  rep: '$assignedToId'
}

function entryFilters(filters: LeadFilters): Record<string, unknown> {
  const match: Record<string, unknown> = {}
  if (filters.masterclassId) match.masterclassId = filters.masterclassId
  if (filters.source) match.utmSource = filters.source
  if (filters.ownerId) match.assignedToId = filters.ownerId
  return match
}

function leadFilters(filters: LeadFilters): Record<string, unknown> {
  const match: Record<string, unknown> = {}
  if (filters.masterclassId) match.masterclassId = filters.masterclassId
  if (filters.source) match['source.utmSource'] = filters.source
  if (filters.ownerId) match.assignedToId = filters.ownerId
  return match
}

/** Leads created in the period: how many reached each funnel stage (a skipped stage counts as passed). */
export function funnelPipeline(
  period: MetricsPeriod,
  filters: LeadFilters,
  dimension?: MetricsDimension
): any[] {
  const reached = Object.fromEntries(
    FUNNEL.map((status, rank) => [status, { $sum: { $cond: [{ $gte: ['$funnelRank', rank] }, 1, 0] } }])
  )
  return [
    { $match: { createdAt: { $gte: period.from, $lt: period.to }, ...leadFilters(filters) } },
    {
      $group: {
        _id: dimension ? { $ifNull: [LEAD_DIMENSION[dimension], null] } : null,
        ...reached,
        LOST: { $sum: { $cond: [{ $eq: ['$status', 'LOST'] }, 1, 0] } }
      }
    },
    { $sort: { _id: 1 } }
  ]
}

/** Leads created in the period by current status (the board's column counts). */
export function statusPipeline(period: MetricsPeriod, filters: LeadFilters): any[] {
  return [
    { $match: { createdAt: { $gte: period.from, $lt: period.to }, ...leadFilters(filters) } },
    { $group: { _id: '$status', count: { $sum: 1 } } }
  ]
}

/** Net revenue booked in the period per currency (and dimension). */
export function revenuePipeline(
  period: MetricsPeriod,
  filters: LeadFilters,
  dimension?: MetricsDimension
): any[] {
  return [
    { $match: { at: { $gte: period.from, $lt: period.to }, ...entryFilters(filters) } },
    {
      $group: {
        _id: {
          key: dimension ? { $ifNull: [ENTRY_DIMENSION[dimension], null] } : null,
          currency: '$currency'
        },
        amountMinor: { $sum: '$amountMinor' }
      }
    }
  ]
}

/**
 * Shifts every duration to the same number of digits before $median and back after. Harmless on MongoDB;
 * needed on the embedded devdb, whose aggregation engine (mingo 7) sorts $median input as strings.
 * Exact in doubles for durations under 285 000 years.
 */
const MEDIAN_OFFSET = 1e15

/** Stages left in the period: how long leads stayed in them (average and median). */
export function timeInStagePipeline(period: MetricsPeriod, filters: LeadFilters): any[] {
  return [
    { $match: { at: { $gte: period.from, $lt: period.to }, from: { $ne: null }, ...entryFilters(filters) } },
    { $project: { from: 1, durationMs: 1, shiftedMs: { $add: ['$durationMs', MEDIAN_OFFSET] } } },
    {
      $group: {
        _id: '$from',
        count: { $sum: 1 },
        avgMs: { $avg: '$durationMs' },
        medianMs: { $median: { input: '$shiftedMs', method: 'approximate' } }
      }
    },
    { $set: { medianMs: { $subtract: ['$medianMs', MEDIAN_OFFSET] } } }
  ]
}

export type StageCounts = Record<Exclude<LeadStatus, 'LOST'>, number>
