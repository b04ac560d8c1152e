// Platform-level routing table from a provider account (by keyed hash, not the id itself) to its tenant:
// webhooks arrive before any tenant is known, and an event of an unknown account maps to nothing.
import { Schema } from 'mongoose'

export interface AccountRoute {
  /** HMAC-SHA256 of the provider account id under the platform key. */
  _id: string
  tenantId: string
  provider: 'stripe' | 'sandbox'
  createdAt: Date
}

export const ACCOUNT_ROUTE_MODEL = 'account-route'

export const accountRouteSchema = new Schema<AccountRoute>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    provider: { type: String, required: true },
    createdAt: { type: Date, required: true }
  },
  { versionKey: false }
)
