// Lead history: one entry per status change (who or what, when, from, to) and how long the lead spent
// in the stage it left, so time-in-stage is an indexed aggregation instead of a replay of events.
import { Schema } from 'mongoose'
import { LEAD_STATUSES } from '../contract.ts'

export const LEAD_HISTORY_MODEL = 'lead-history'

export const leadHistorySchema = new Schema(
  {
    leadId: { type: String, required: true },
    /** null for the entry that created the lead. */
    from: { type: String, enum: [...LEAD_STATUSES, null], default: null },
    to: { type: String, enum: LEAD_STATUSES as unknown as string[], required: true },
    at: { type: Date, required: true },
    /** Milliseconds spent in `from` (0 for the creation entry). */
    durationMs: { type: Number, required: true, default: 0 },
    /** `registration`, `event:<name>` or `manual`. */
    trigger: { type: String, required: true },
    actor: {
      kind: { type: String, enum: ['user', 'system', 'anonymous'], required: true },
      userId: { type: String },
      name: { type: String }
    },
    /** The event id (or a request id): a replayed event cannot record the same move twice. */
    causeId: { type: String, required: true },
    /** Denormalized at write time for per-dimension metrics without joins. */
    masterclassId: { type: String },
    utmSource: { type: String },
    assignedToId: { type: String }
  },
  { strict: 'throw', versionKey: false }
)

leadHistorySchema.index({ tenantId: 1, causeId: 1, leadId: 1 }, { unique: true })
leadHistorySchema.index({ tenantId: 1, leadId: 1, at: 1 })
leadHistorySchema.index({ tenantId: 1, at: 1, from: 1 })
