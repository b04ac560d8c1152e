// The secret plugins' derived keys come from (ctx.secrets.derivedKey): routing hashes and link signatures
// made with them are stored and checked later, so it must outlive rotations of PLATFORM_ENCRYPTION_KEY. It is
// a stored secret of its own, wrapped by the secret box: the wrapping follows rotations (read under a retired
// key, written again under the current one) while the root stays the same. A new database starts it as that
// day's platform key, so keys derived before it existed (HMAC of the platform key) keep their values.
import { type Connection, type Model, Schema } from 'mongoose'
import { ConfigError } from '../config/load-config.ts'
import { isDuplicateKeyError } from '../data/duplicate-key.ts'
import type { SecretBox } from './secret-box.ts'

interface PlatformSecretDocument {
  _id: string
  wrapped: string
  createdAt: Date
}

const ROOT_ID = 'derivation-root'
/** Associated data of the wrapped root: a value copied from another record does not unwrap as the root. */
const ROOT_CONTEXT = 'platform:derivation-root'

const platformSecretSchema = new Schema<PlatformSecretDocument>(
  { _id: { type: String, required: true }, wrapped: { type: String, required: true }, createdAt: Date },
  { versionKey: false }
)

function platformSecrets(connection: Connection): Model<PlatformSecretDocument> {
  return (
    (connection.models.PlatformSecret as Model<PlatformSecretDocument>) ??
    connection.model('PlatformSecret', platformSecretSchema, 'platform_secrets')
  )
}

/**
 * The derivation root: created on first use (concurrent first starts agree on one), unwrapped, and written
 * again under the current key when it was wrapped under a retired one. A root that no configured key
 * unwraps stops the start with a ConfigError: deriving from another secret would silently break every
 * stored hash and signature.
 */
export async function loadDerivationRoot(
  connection: Connection,
  box: SecretBox,
  platformKey: Buffer
): Promise<Buffer> {
  const Secrets = platformSecrets(connection)
  let stored = await Secrets.findById(ROOT_ID).lean()
  if (!stored) {
    try {
      await Secrets.create({
        _id: ROOT_ID,
        wrapped: box.encrypt(platformKey.toString('base64'), ROOT_CONTEXT),
        createdAt: new Date()
      })
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error
    }
    stored = await Secrets.findById(ROOT_ID).lean()
    if (!stored) throw new Error('derivation root: not found after it was created')
  }
  let root: Buffer
  try {
    root = Buffer.from(box.decrypt(stored.wrapped, ROOT_CONTEXT), 'base64')
  } catch {
    throw new ConfigError([
      {
        variable: 'PLATFORM_RETIRED_ENCRYPTION_KEYS',
        message:
          'must list the earlier PLATFORM_ENCRYPTION_KEY: the stored key-derivation root (platform_secrets) was written under a key that is not configured'
      }
    ])
  }
  if (!box.isCurrentBound(stored.wrapped)) {
    // Written under a retired key: wrapped again under the current one (the filter makes concurrent starts
    // one write), so the retired key can later be dropped from the configuration.
    await Secrets.updateOne(
      { _id: ROOT_ID, wrapped: stored.wrapped },
      { $set: { wrapped: box.encrypt(root.toString('base64'), ROOT_CONTEXT) } }
    )
  }
  return root
}
