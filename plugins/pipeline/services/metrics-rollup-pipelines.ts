// Sales metrics from the rollups (models/metrics-rollup-model.ts) for whole UTC days: equality on the
// slice and a day range on the unique index, then one $group. Rows have the shapes of the source
// pipelines in metrics-pipelines.ts, so the partial days at a period's edges add up with them.
import { LEAD_STATUSES } from '../contract.ts'
import { FUNNEL } from '../domain/transition-table.ts'
import type { RollupDim } from '../models/metrics-rollup-model.ts'
import type { MetricsPeriod } from './metrics-pipelines.ts'

/** A dimension slice; without `key`, every key of the dimension, grouped by key. */
export interface RollupSlice {
  dim: RollupDim
  key?: string | null
}

function sliceMatch(kind: string, days: MetricsPeriod, slice: RollupSlice) {
  return {
    $match: {
      kind,
      dim: slice.dim,
      ...(slice.key !== undefined && { key: slice.key }),
      day: { $gte: days.from, $lt: days.to }
    }
  }
}

/** Totals are one row; groups are one row per key (the slice's own key when it has one). */
const groupKey = (slice: RollupSlice, grouped: boolean) =>
  !grouped ? null : slice.key === undefined ? '$key' : { $literal: slice.key }

export function rollupLeadCountsPipeline(days: MetricsPeriod, slice: RollupSlice, grouped: boolean): any[] {
  return [
    sliceMatch('lead', days, slice),
    {
      $group: {
        _id: groupKey(slice, grouped),
        ...Object.fromEntries(FUNNEL.map((_s, rank) => [`r${rank}`, { $sum: `$r.${rank}` }])),
        ...Object.fromEntries(LEAD_STATUSES.map((status) => [status, { $sum: `$n.${status}` }]))
      }
    }
  ]
}

export function rollupRevenuePipeline(days: MetricsPeriod, slice: RollupSlice, grouped: boolean): any[] {
  return [
    sliceMatch('revenue', days, slice),
    {
      $group: {
        _id: { key: groupKey(slice, grouped), currency: '$sub' },
        amountMinor: { $sum: '$amountMinor' }
      }
    }
  ]
}

export function rollupStagePipeline(days: MetricsPeriod, slice: RollupSlice): any[] {
  return [
    sliceMatch('stage', days, slice),
    { $group: { _id: '$sub', count: { $sum: '$count' }, sumMs: { $sum: '$sumMs' } } }
  ]
}

/** Histogram buckets per stage, summed over the days. */
export function rollupHistogramPipeline(days: MetricsPeriod, slice: RollupSlice): any[] {
  return [
    sliceMatch('stage', days, slice),
    { $project: { sub: 1, h: { $objectToArray: '$h' } } },
    { $unwind: '$h' },
    { $group: { _id: { stage: '$sub', bucket: '$h.k' }, count: { $sum: '$h.v' } } }
  ]
}
