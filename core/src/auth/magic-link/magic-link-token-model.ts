// Outstanding sign-in links: only the SHA-256 of each token is stored, per tenant (the tenant-scoped data
// layer filters and stamps tenantId), and MongoDB's TTL monitor removes expired ones.
import { createHash, randomBytes } from 'node:crypto'
import { type Connection, type Model, Schema } from 'mongoose'
import { tenantScopedPlugin } from '../../data/tenant-scoped-plugin.ts'

export const MAGIC_LINK_TOKEN_MODEL = 'MagicLinkToken'

export interface MagicLinkTokenDocument {
  tenantId: string
  tokenHash: string
  userId: string
  /** Set on the link mailed by a registration: redeeming it makes that registration's password the password. */
  pendingPasswordId?: string
  expiresAt: Date
  createdAt: Date
}

const schema = new Schema<MagicLinkTokenDocument>(
  {
    tokenHash: { type: String, required: true },
    userId: { type: String, required: true },
    pendingPasswordId: { type: String },
    expiresAt: { type: Date, required: true }
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false }
)
schema.plugin(tenantScopedPlugin)
schema.index({ tenantId: 1, tokenHash: 1 }, { unique: true })

/** 32 random bytes, URL-safe: guessing one is hopeless, so only the hash needs storing. */
export function newMagicLinkToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashMagicLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function magicLinkTokenModel(connection: Connection): Model<MagicLinkTokenDocument> {
  return (
    (connection.models[MAGIC_LINK_TOKEN_MODEL] as Model<MagicLinkTokenDocument> | undefined) ??
    connection.model<MagicLinkTokenDocument>(MAGIC_LINK_TOKEN_MODEL, schema, 'magic_link_tokens')
  )
}

/**
 * Indexes, including the TTL index. A TTL index must be single-field, which the tenant-led index rule of
 * tenant-scoped schemas forbids declaring on the schema; it serves only the server's expiry monitor (no
 * query uses it), so it is created here on the collection.
 */
export async function ensureMagicLinkIndexes(model: Model<MagicLinkTokenDocument>): Promise<void> {
  await model.init()
  await model.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' })
}
