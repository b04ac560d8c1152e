// Storage of the sandbox provider: the objects a real Stripe would keep (accounts, sessions, refunds,
// events, idempotency keys), platform-level because the simulated Stripe is one for all tenants.
import { Schema } from 'mongoose'

export interface SandboxObject {
  _id: string
  kind: 'account' | 'session' | 'refund' | 'event' | 'idempotency'
  account: string | null
  data: Record<string, any>
  createdAt: Date
}

export const SANDBOX_MODEL = 'sandbox-object'

export const sandboxObjectSchema = new Schema<SandboxObject>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    account: { type: String, default: null },
    data: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true }
  },
  { versionKey: false, minimize: false }
)
sandboxObjectSchema.index({ kind: 1, account: 1, createdAt: -1 })
