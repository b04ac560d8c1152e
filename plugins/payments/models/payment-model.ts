// Payments: one checkout attempt for an invoice at the provider, and the status webhooks move forward.
import { Schema } from 'mongoose'
import type { PaymentStatus } from '../contract.ts'

export interface Payment {
  _id: string
  tenantId: string
  invoiceId: string
  /** 1 for the first checkout of an invoice; a new attempt after a failure or expiry gets the next. */
  attempt: number
  /** The provider idempotency key of the checkout: the same attempt always maps to one provider session. */
  idempotencyKey: string
  provider: 'stripe' | 'sandbox'
  status: PaymentStatus
  amountMinor: number
  applicationFeeMinor: number
  currency: string
  checkoutSessionId?: string
  checkoutUrl?: string
  paymentIntentId?: string
  amountRefundedMinor: number
  dispute?: { id: string; status: string; reason: string }
  failureReason?: string
  succeededAt?: Date
  /** Status `duplicate`: the payment that paid the invoice. */
  duplicateOf?: string
  /** Status `needs_review`: what the invoice asked and what the provider reported. */
  review?: {
    expectedMinor: number
    expectedCurrency: string
    receivedMinor: number
    receivedCurrency: string
  }
}

export const PAYMENT_MODEL = 'payment'

export const paymentSchema = new Schema<Payment>(
  {
    _id: { type: String, required: true },
    invoiceId: { type: String, required: true },
    attempt: { type: Number, required: true },
    idempotencyKey: { type: String, required: true },
    provider: { type: String, required: true },
    status: { type: String, required: true, default: 'pending' },
    amountMinor: { type: Number, required: true },
    applicationFeeMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    checkoutSessionId: { type: String },
    checkoutUrl: { type: String },
    paymentIntentId: { type: String },
    amountRefundedMinor: { type: Number, required: true, default: 0 },
    dispute: { type: new Schema({ id: String, status: String, reason: String }, { _id: false }) },
    failureReason: { type: String },
    succeededAt: { type: Date },
    duplicateOf: { type: String },
    review: {
      type: new Schema(
        { expectedMinor: Number, expectedCurrency: String, receivedMinor: Number, receivedCurrency: String },
        { _id: false }
      )
    }
  },
  { versionKey: false, timestamps: true }
)
paymentSchema.index({ tenantId: 1, invoiceId: 1, attempt: 1 }, { unique: true })
paymentSchema.index({ tenantId: 1, idempotencyKey: 1 }, { unique: true })
paymentSchema.index({ tenantId: 1, checkoutSessionId: 1 })
paymentSchema.index({ tenantId: 1, paymentIntentId: 1 })
// The staff list's order (newest first, _id breaking ties) with and without a status filter.
paymentSchema.index({ tenantId: 1, status: 1, createdAt: -1, _id: -1 })
paymentSchema.index({ tenantId: 1, createdAt: -1, _id: -1 })
