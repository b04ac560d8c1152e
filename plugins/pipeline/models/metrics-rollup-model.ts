// Metrics rollups: per tenant × UTC day × one dimension slice, counters kept in step with the leads,
// history and revenue entries they summarize, so metrics over months read hundreds of small documents
// instead of millions of entries. Kinds:
//   lead:    leads created that day by current status and by highest funnel rank (`n.<status>`, `r.<rank>`),
//   stage:   stage `sub` left that day: count, summed and histogrammed durations (`h.<bucket>`),
//   revenue: net revenue booked that day in currency `sub`.
// Slices: `dim` 'all' (key null) or one of source/masterclass/rep with its value as `key` (null when unset).
import { Schema } from 'mongoose'

export const METRICS_ROLLUP_MODEL = 'metrics-rollup'

export const ROLLUP_KINDS = ['lead', 'stage', 'revenue'] as const
export type RollupKind = (typeof ROLLUP_KINDS)[number]
export const ROLLUP_DIMS = ['all', 'source', 'masterclass', 'rep'] as const
export type RollupDim = (typeof ROLLUP_DIMS)[number]

export const metricsRollupSchema = new Schema(
  {
    kind: { type: String, enum: ROLLUP_KINDS, required: true },
    dim: { type: String, enum: ROLLUP_DIMS, required: true },
    key: { type: String, default: null },
    day: { type: Date, required: true },
    /** The stage (stage rollups), the currency (revenue rollups) or '' (lead rollups). */
    sub: { type: String, default: '' },
    /** Lead rollups: leads by current status and by funnel rank. */
    n: { type: Schema.Types.Mixed },
    r: { type: Schema.Types.Mixed },
    /** Stage rollups: entries, summed milliseconds, duration histogram (domain/time-histogram.ts). */
    count: { type: Number },
    sumMs: { type: Number },
    h: { type: Schema.Types.Mixed },
    /** Revenue rollups: net minor units. */
    amountMinor: { type: Number }
  },
  { strict: 'throw', versionKey: false, minimize: false }
)

// One document per slot; reads are equality on kind/dim(/key) and a day range.
metricsRollupSchema.index({ tenantId: 1, kind: 1, dim: 1, key: 1, day: 1, sub: 1 }, { unique: true })
