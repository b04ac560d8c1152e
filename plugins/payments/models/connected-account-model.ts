// The tenant's connected payment account: the account id is stored encrypted (tenant-level provider
// data), and its onboarding status as last reported by the provider.
import { Schema } from 'mongoose'

export interface ConnectedAccount {
  tenantId: string
  provider: 'stripe' | 'sandbox'
  /** Ciphertext of the provider account id, bound to the tenant (core's ctx.secrets, runtime.secrets). */
  accountIdEncrypted: string
  chargesEnabled: boolean
  payoutsEnabled: boolean
  detailsSubmitted: boolean
  requirementsDue: string[]
  statusUpdatedAt: Date
}

export const CONNECTED_ACCOUNT_MODEL = 'connected-account'

export const connectedAccountSchema = new Schema<ConnectedAccount>(
  {
    provider: { type: String, required: true },
    accountIdEncrypted: { type: String, required: true, secret: true } as any,
    chargesEnabled: { type: Boolean, required: true, default: false },
    payoutsEnabled: { type: Boolean, required: true, default: false },
    detailsSubmitted: { type: Boolean, required: true, default: false },
    requirementsDue: { type: [String], default: [] },
    statusUpdatedAt: { type: Date, required: true }
  },
  { versionKey: false, timestamps: true }
)
connectedAccountSchema.index({ tenantId: 1, provider: 1 }, { unique: true })
