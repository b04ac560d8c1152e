// The lead: one per person (normalized email) per tenant, enforced by a unique index so concurrent
// registrations converge on one document. tenantId is added and enforced by core's data layer.
import { Schema } from 'mongoose'
import { LEAD_STATUSES } from '../contract.ts'

export const LEAD_MODEL = 'lead'

const noteSchema = new Schema(
  {
    text: { type: String, required: true, maxlength: 4000 },
    authorId: { type: String },
    at: { type: Date, required: true }
  },
  { _id: true }
)

export const leadSchema = new Schema(
  {
    email: { type: String, required: true, maxlength: 254 },
    name: { type: String, required: true, maxlength: 120 },
    phone: { type: String, maxlength: 24 },
    company: { type: String, maxlength: 120 },
    /** The masterclass of the first registration (funnel reporting); all of them in masterclassIds. */
    masterclassId: { type: String },
    masterclassIds: { type: [String], default: [] },
    source: {
      utmSource: { type: String },
      utmMedium: { type: String },
      utmCampaign: { type: String },
      referrer: { type: String }
    },
    status: { type: String, enum: LEAD_STATUSES as unknown as string[], required: true, default: 'NEW' },
    funnelRank: { type: Number, required: true, default: 0 },
    stageEnteredAt: { type: Date, required: true },
    userId: { type: String },
    assignedToId: { type: String },
    tags: { type: [String], default: [] },
    score: { type: Number, min: 0, max: 100 },
    notes: { type: [noteSchema], default: [] },
    /** Net paid amount per the payment events, minor units of `currency`. */
    paidMinor: { type: Number, default: 0 },
    currency: { type: String },
    registrations: { type: Number, default: 1 },
    consentAt: { type: Date },
    lastRegisteredAt: { type: Date },
    /** Set once lead.created is recorded: a registration retried after a crash re-announces it. */
    announcedAt: { type: Date },
    /** Registrations announced so far (lead.created, then lead.updated per repeat): fewer than
     * `registrations` means a follow-up was lost (queue down) and the announce sweep queues it again. */
    announcedRegistrations: { type: Number },
    /** The last move, so a retried handler can finish recording it (see services/lead-tracker.ts). */
    lastTransition: { type: Schema.Types.Mixed },
    /** What the metrics rollups count this lead as (services/rollup-writer.ts); absent until counted. */
    countedAs: { type: Schema.Types.Mixed }
  },
  { timestamps: true, strict: 'throw', versionKey: false }
)

// Every index leads with tenantId (core refuses others at compile time).
leadSchema.index({ tenantId: 1, email: 1 }, { unique: true })
leadSchema.index({ tenantId: 1, status: 1, updatedAt: -1 })
leadSchema.index({ tenantId: 1, createdAt: -1 })
leadSchema.index({ tenantId: 1, masterclassId: 1, createdAt: -1 })
leadSchema.index({ tenantId: 1, 'source.utmSource': 1, createdAt: -1 })
leadSchema.index({ tenantId: 1, assignedToId: 1, createdAt: -1 })
leadSchema.index({ tenantId: 1, lastRegisteredAt: 1 })
