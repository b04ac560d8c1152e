// Sales metrics over the source documents as MongoDB aggregation pipelines on indexed fields (the data
// layer prepends the tenant $match): for the partial days at a period's edges, filter combinations the
// rollups do not slice by, and exact medians of small ranges. Rows have the rollup pipelines' shapes
// (metrics-rollup-pipelines.ts) so both add up.
import type { LeadStatus, MetricsDimension } from '../contract.ts'
import { LEAD_STATUSES } from '../contract.ts'
import type { LeadFilters } from '../domain/lead-filters.ts'
import { BUCKETS_PER_DOUBLING, HISTOGRAM_BUCKETS } from '../domain/time-histogram.ts'
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

/**
 * Leads created in the period, per group: how many have each funnel rank (`r0`…) and each current
 * status (`NEW`…). Reach per stage is derived from the ranks (a skipped stage counts as passed).
 */
export function leadCountsPipeline(
  period: MetricsPeriod,
  filters: LeadFilters,
  dimension?: MetricsDimension
): any[] {
  const ranks = Object.fromEntries(
    FUNNEL.map((_status, rank) => [`r${rank}`, { $sum: { $cond: [{ $eq: ['$funnelRank', rank] }, 1, 0] } }])
  )
  const statuses = Object.fromEntries(
    LEAD_STATUSES.map((status) => [status, { $sum: { $cond: [{ $eq: ['$status', status] }, 1, 0] } }])
  )
  return [
    { $match: { createdAt: { $gte: period.from, $lt: period.to }, ...leadFilters(filters) } },
    {
      $group: {
        _id: dimension ? { $ifNull: [LEAD_DIMENSION[dimension], null] } : null,
        ...ranks,
        ...statuses
      }
    }
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

const stageLeftIn = (period: MetricsPeriod, filters: LeadFilters) => ({
  $match: { at: { $gte: period.from, $lt: period.to }, from: { $ne: null }, ...entryFilters(filters) }
})

/** Stages left in the period: how many, how long in total, and the exact median. */
export function timeInStagePipeline(period: MetricsPeriod, filters: LeadFilters): any[] {
  return [
    stageLeftIn(period, filters),
    {
      $group: {
        _id: '$from',
        count: { $sum: 1 },
        sumMs: { $sum: '$durationMs' },
        medianMs: { $median: { input: '$durationMs', method: 'approximate' } }
      }
    }
  ]
}

/** Stages left in the period: count and total per stage, and the duration histogram (time-histogram.ts). */
export function stageHistogramPipeline(period: MetricsPeriod, filters: LeadFilters): any[] {
  const bucket = {
    $cond: [
      { $lt: ['$durationMs', 1000] },
      0,
      {
        $min: [
          HISTOGRAM_BUCKETS - 1,
          {
            $add: [
              1,
              {
                $floor: {
                  $multiply: [BUCKETS_PER_DOUBLING, { $log: [{ $divide: ['$durationMs', 1000] }, 2] }]
                }
              }
            ]
          }
        ]
      }
    ]
  }
  return [
    stageLeftIn(period, filters),
    {
      $group: {
        _id: { stage: '$from', bucket },
        count: { $sum: 1 },
        sumMs: { $sum: '$durationMs' }
      }
    }
  ]
}

export type StageCounts = Record<Exclude<LeadStatus, 'LOST'>, number>

/** The calendar day of `field` in `timeZone` (MongoDB's time zone database), as `YYYY-MM-DD`. */
const dayOf = (field: string, timeZone: string) => ({
  $dateToString: { date: field, format: '%Y-%m-%d', timezone: timeZone }
})

/** Leads created in the period per calendar day of `timeZone` (days without leads are absent). */
export function dailyLeadsPipeline(period: MetricsPeriod, filters: LeadFilters, timeZone: string): any[] {
  return [
    { $match: { createdAt: { $gte: period.from, $lt: period.to }, ...leadFilters(filters) } },
    { $group: { _id: dayOf('$createdAt', timeZone), leads: { $sum: 1 } } }
  ]
}

/** Net revenue (refunds negative) booked in the period per calendar day of `timeZone` and currency. */
export function dailyRevenuePipeline(period: MetricsPeriod, filters: LeadFilters, timeZone: string): any[] {
  return [
    { $match: { at: { $gte: period.from, $lt: period.to }, ...entryFilters(filters) } },
    {
      $group: {
        _id: { day: dayOf('$at', timeZone), currency: '$currency' },
        amountMinor: { $sum: '$amountMinor' }
      }
    }
  ]
}
