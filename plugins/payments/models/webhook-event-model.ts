// Every verified webhook event, stored under its provider event id before the endpoint answers 2xx:
// the unique id makes redeliveries no-ops, and a stored but unprocessed event is replayable.
import { Schema } from 'mongoose'

/** `unrouted`: a connected account without a tenant route yet (re-routed later); `ignored`: never processed. */
export type WebhookEventState = 'received' | 'processed' | 'ignored' | 'unrouted' | 'failed'

export interface WebhookEvent {
  /** The provider's event id (evt_...). */
  _id: string
  type: string
  provider: 'stripe' | 'sandbox'
  /** Hash of the connected account (see account-route); null for platform events. */
  accountHash: string | null
  tenantId: string | null
  livemode: boolean
  /** Provider creation time (unix seconds): orders events for diagnostics, never for correctness. */
  created: number
  /**
   * The verified raw body as received, except that the connected account id is replaced by its routing
   * hash (`withoutAccountId`, receive-webhook.ts); a string, not a document: metadata keys may hold
   * characters MongoDB field names cannot.
   */
  payload: string
  state: WebhookEventState
  reason?: string
  attempts: number
  receivedAt: Date
  processedAt?: Date
  /** 'webhook' or 'reconciliation': how the event reached the store. */
  source: 'webhook' | 'reconciliation'
}

export const WEBHOOK_EVENT_MODEL = 'webhook-event'

export const webhookEventSchema = new Schema<WebhookEvent>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    provider: { type: String, required: true },
    accountHash: { type: String, default: null },
    tenantId: { type: String, default: null },
    livemode: { type: Boolean, required: true },
    created: { type: Number, required: true },
    payload: { type: String, required: true },
    state: { type: String, required: true },
    reason: { type: String },
    attempts: { type: Number, required: true, default: 0 },
    receivedAt: { type: Date, required: true },
    processedAt: { type: Date },
    source: { type: String, required: true }
  },
  { versionKey: false }
)
webhookEventSchema.index({ state: 1, receivedAt: 1 })
webhookEventSchema.index({ tenantId: 1, receivedAt: -1 })
// The staff list of failed events (count and newest first) reads only the tenant's events in that state.
webhookEventSchema.index({ tenantId: 1, state: 1, receivedAt: -1, _id: -1 })
webhookEventSchema.index({ accountHash: 1, state: 1 })
