// Revenue booked from payment events: one entry per payment (and per refund), keyed by the payment id so
// a replayed event books nothing twice. Dimensions are copied from the lead for indexed metrics.
import { Schema } from 'mongoose'

export const REVENUE_ENTRY_MODEL = 'revenue-entry'

export const revenueEntrySchema = new Schema(
  {
    /** `payment:<paymentId>` or `refund:<paymentId>` (refunds are cumulative: the entry holds the total). */
    key: { type: String, required: true },
    leadId: { type: String, required: true },
    /** Positive for payments, negative for refunds. */
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    at: { type: Date, required: true },
    masterclassId: { type: String },
    utmSource: { type: String },
    assignedToId: { type: String },
    /** The amount the metrics rollups hold for this entry (services/rollup-writer.ts). */
    countedMinor: { type: Number }
  },
  { strict: 'throw', versionKey: false }
)

revenueEntrySchema.index({ tenantId: 1, key: 1 }, { unique: true })
revenueEntrySchema.index({ tenantId: 1, at: 1 })
