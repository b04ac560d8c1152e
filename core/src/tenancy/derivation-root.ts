// The secret plugins' derived keys come from (ctx.secrets.derivedKey): routing hashes and link signatures
// made with them are stored and checked later, so it must outlive rotations of PLATFORM_ENCRYPTION_KEY. It is
// a stored secret of its own, wrapped by the secret box: the wrapping follows rotations (read under a retired
// key, written again under the current one) while the root stays the same. A new platform gets a random root;
// a platform that already has tenants when the root is introduced starts it as its platform key, the key its
// derived values were made with before, so they keep their values. Rotating the derived keys themselves is a
// separate operation (not automated): new root, old hashes and signatures rebuilt or accepted for a while.
import { randomBytes } from 'node:crypto'
import { type Connection, type Model, Schema } from 'mongoose'
import type { Logger } from 'pino'
import { ConfigError } from '../config/load-config.ts'
import { isDuplicateKeyError } from '../data/duplicate-key.ts'
import { trusted } from '../data/trusted-filter.ts'
import {
  keyIdOf,
  type SecretBox,
  SecretBoxError,
  SecretBoxFailure,
  secretFailureReason
} from './secret-box.ts'
import { tenancyModels } from './tenancy-models.ts'

interface PlatformSecretDocument {
  _id: string
  wrapped: string
  /** Key ids the root was rewrapped away from: processes still using one of them as current leave it alone. */
  supersededKeyIds?: string[]
  createdAt: Date
}

const ROOT_ID = 'derivation-root'
/** Associated data of the wrapped root: a value copied from another record does not unwrap as the root. */
const ROOT_CONTEXT = 'platform:derivation-root'
const RECORD = 'platform_secrets (database)'

const platformSecretSchema = new Schema<PlatformSecretDocument>(
  {
    _id: { type: String, required: true },
    wrapped: { type: String, required: true },
    supersededKeyIds: [String],
    createdAt: Date
  },
  { versionKey: false }
)

function platformSecrets(connection: Connection): Model<PlatformSecretDocument> {
  return (
    (connection.models.PlatformSecret as Model<PlatformSecretDocument>) ??
    connection.model('PlatformSecret', platformSecretSchema, 'platform_secrets')
  )
}

export interface DerivationRootOptions {
  box: SecretBox
  platformKey: Buffer
  /**
   * A platform with tenants but no root may start it as its platform key (it predates the stored root). Off,
   * such a start is refused: the root may also be missing from a restored backup, and rebuilding it from the
   * key would silently change every derived key.
   */
  fromPlatformKey: boolean
  logger?: Pick<Logger, 'warn'>
}

const rootProblem = (variable: string, message: string) => new ConfigError([{ variable, message }])

/**
 * The derivation root: created on first use (concurrent first starts agree on one, read from the primary),
 * unwrapped, and written again under the current key when it was wrapped under a retired one. A root that
 * cannot be unwrapped, or a missing root on a platform with tenants (unless it predates the root and the
 * operator says so), stops the start with a ConfigError: deriving from another secret would silently break
 * every stored hash and signature.
 */
export async function loadDerivationRoot(
  connection: Connection,
  options: DerivationRootOptions
): Promise<Buffer> {
  const { box, platformKey, logger } = options
  const Secrets = platformSecrets(connection)
  const read = () => Secrets.findById(ROOT_ID).read('primary').lean()
  let stored = await read()
  if (!stored) {
    const existingPlatform = (await tenancyModels(connection).Tenant.exists({}).read('primary')) !== null
    if (existingPlatform && !options.fromPlatformKey)
      throw rootProblem(
        'PLATFORM_DERIVATION_ROOT_FROM_KEY',
        'is needed once: this database has tenants but no key-derivation root in platform_secrets. If it was lost (a backup restored without it), restore it instead; only if this platform predates the stored root, start once with PLATFORM_DERIVATION_ROOT_FROM_KEY=true and the platform key its data was made with'
      )
    const root = existingPlatform ? platformKey : randomBytes(32)
    try {
      await Secrets.create({
        _id: ROOT_ID,
        wrapped: box.encrypt(root.toString('base64'), ROOT_CONTEXT),
        createdAt: new Date()
      })
      logger?.warn(
        { rootId: keyIdOf(root), fromPlatformKey: existingPlatform },
        'key-derivation root created (platform_secrets): keep it in every backup'
      )
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error
    }
    stored = await read()
    if (!stored) throw new Error('derivation root: not found after it was created')
  }
  const root = unwrap(box, stored.wrapped)
  if (!box.isCurrentBound(stored.wrapped)) await rewrap(Secrets, stored, box, root, logger)
  return root
}

/**
 * Wrapped under a retired key: wrapped again under the current one, so the retired key can later be dropped.
 * The key it moves away from is recorded: during a rolling rotation a process that still has that key as
 * current (and the new one as retired) must not move the root back (the filter also makes concurrent
 * starts one write). Reading does not depend on it succeeding.
 */
async function rewrap(
  Secrets: Model<PlatformSecretDocument>,
  stored: PlatformSecretDocument,
  box: SecretBox,
  root: Buffer,
  logger: DerivationRootOptions['logger']
): Promise<boolean> {
  if (stored.supersededKeyIds?.includes(box.keyId)) {
    logger?.warn(
      { keyId: box.keyId },
      'this process runs with an encryption key the key-derivation root was moved away from: finish the rotation'
    )
    return false
  }
  const from = stored.wrapped.split(':')[1]
  try {
    const { matchedCount } = await Secrets.updateOne(
      { _id: ROOT_ID, wrapped: stored.wrapped, supersededKeyIds: trusted({ $ne: box.keyId }) },
      {
        $set: { wrapped: box.encrypt(root.toString('base64'), ROOT_CONTEXT) },
        $addToSet: { supersededKeyIds: from }
      }
    )
    return matchedCount === 1
  } catch (error) {
    logger?.warn(
      { err: { message: (error as Error).message } },
      'key-derivation root not rewrapped under the current key'
    )
    return false
  }
}

/**
 * For secrets:rewrap: whether the stored root is under the box's current key, rewrapping it first when it
 * is under a retired one (as a start does, but reported instead of logged). Never creates a root.
 */
export async function rewrapDerivationRoot(
  connection: Connection,
  box: SecretBox
): Promise<'current' | 'rewritten' | 'missing' | { failed: string }> {
  const Secrets = platformSecrets(connection)
  const read = () => Secrets.findById(ROOT_ID).read('primary').lean<PlatformSecretDocument>().exec()
  const stored = await read()
  if (!stored) return 'missing'
  if (box.isCurrentBound(stored.wrapped)) return 'current'
  let root: Buffer
  try {
    root = unwrap(box, stored.wrapped)
  } catch (error) {
    return { failed: secretFailureReason(error) }
  }
  if (stored.supersededKeyIds?.includes(box.keyId)) return { failed: 'ROOT_MOVED_AWAY_FROM_CURRENT_KEY' }
  if (await rewrap(Secrets, stored, box, root, undefined)) return 'rewritten'
  // Another process rewrapped it meanwhile: current now, or still not.
  const again = await read()
  return again && box.isCurrentBound(again.wrapped) ? 'current' : { failed: 'CHANGED_DURING_REWRAP' }
}

function unwrap(box: SecretBox, wrapped: string): Buffer {
  try {
    return Buffer.from(box.decrypt(wrapped, ROOT_CONTEXT), 'base64')
  } catch (error) {
    const reason = error instanceof SecretBoxError ? (error.data as { reason?: string })?.reason : undefined
    if (reason === SecretBoxFailure.KEY_UNKNOWN)
      throw rootProblem(
        'PLATFORM_RETIRED_ENCRYPTION_KEYS',
        `must include the key the stored key-derivation root is wrapped under (key id ${wrapped.split(':')[1]}; configured: ${box.keyIds.join(', ')}). During a rotation give every process the new key as a retired key before making it current`
      )
    throw rootProblem(
      RECORD,
      'holds a key-derivation root that is damaged or was altered (it does not authenticate under its key): restore the platform_secrets record from a backup'
    )
  }
}
