// Encrypts secrets at rest (AES-256-GCM): per-tenant plugin secrets, and plugin data bound to a purpose and a
// tenant. Ciphertexts carry a key id so the key can be rotated: old values stay readable with a retired key
// while new writes use the current one.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { GeneralError } from '@feathersjs/errors'
import { ErrorCode } from '../errors/codes.ts'

/** Without a context (tenant plugin secrets): associated data `v1:<keyId>`. */
const UNBOUND = 'v1'
/** Bound to a context: associated data `v2:<keyId>:<context>`, the context never stored in the value. */
const BOUND = 'v2'
const TAG_BYTES = 16
const IV_BYTES = 12

/** Why a secret box refused: in `data.reason` next to the INTERNAL code (never shown to clients). */
export const SecretBoxFailure = {
  KEY_INVALID: 'SECRET_KEY_INVALID',
  FORMAT_UNSUPPORTED: 'SECRET_FORMAT_UNSUPPORTED',
  KEY_UNKNOWN: 'SECRET_KEY_UNKNOWN',
  /** A context-bound value read without a context, an unbound one read with a context, or a bad context. */
  CONTEXT_MISMATCH: 'SECRET_CONTEXT_MISMATCH',
  /** Authentication failed: changed, or encrypted under another context. */
  UNREADABLE: 'SECRET_UNREADABLE'
} as const
export type SecretBoxFailure = (typeof SecretBoxFailure)[keyof typeof SecretBoxFailure]

export class SecretBoxError extends GeneralError {
  constructor(message: string, reason: SecretBoxFailure) {
    super(message, { code: ErrorCode.INTERNAL, reason })
    this.name = 'SecretBoxError'
  }
}

/** A SecretBoxError's reason code, else the error's message: what may be reported about a value (never it). */
export function secretFailureReason(error: unknown): string {
  const data = (error as { data?: { reason?: unknown } })?.data
  return typeof data?.reason === 'string' ? data.reason : ((error as Error)?.message ?? String(error))
}

export interface SecretBox {
  /** Id of the key new ciphertexts are written with (first 8 hex chars of the key's SHA-256). */
  readonly keyId: string
  /** Ids of every key this box decrypts with: the current one first, then the retired ones. */
  readonly keyIds: readonly string[]
  /**
   * With a `context` (associated data, e.g. `payments:connected-account:tenant:<id>`) the value decrypts
   * under that same context only.
   */
  encrypt(plaintext: string, context?: string): string
  /** Throws a SecretBoxError when the value is malformed, was changed, its key is unknown or its context differs. */
  decrypt(ciphertext: string, context?: string): string
  encryptJson(value: unknown, context?: string): string
  decryptJson<T = unknown>(ciphertext: string, context?: string): T
  /** Whether a context-bound value is under the current key (false: write it again with `encrypt`). */
  isCurrentBound(ciphertext: string): boolean
  /** Whether a value without a context is under the current key (false: write it again with `encryptJson`). */
  isCurrentUnbound(ciphertext: string): boolean
}

/** A box whose values are bound to one owner and purpose, and to the tenant given to each call. */
export interface PurposeSecretBox {
  encrypt(plaintext: string, tenantId: string): string
  /** Throws a SecretBoxError unless the value was encrypted for this owner, purpose and tenant. */
  decrypt(ciphertext: string, tenantId: string): string
  /** False for a value to write again with `encrypt`: under a retired key, or not in this box's format. */
  isCurrent(ciphertext: string): boolean
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}

function associatedData(keyId: string, context: string | undefined): Buffer {
  // The key id is authenticated too, so a value cannot be relabelled to another key. It is 8 hex chars, so
  // the context that follows it cannot shift into it.
  return Buffer.from(context === undefined ? `${UNBOUND}:${keyId}` : `${BOUND}:${keyId}:${context}`)
}

function checkContext(context: string | undefined): void {
  if (context === '') throw new SecretBoxError('secret-box: empty context', SecretBoxFailure.CONTEXT_MISMATCH)
}

/**
 * `key` is the current 32-byte key; `retiredKeys` decrypt values written before a rotation.
 * Formats: `v1:<keyId>:<iv b64url>:<tag b64url>:<ciphertext b64url>` without a context (unchanged since the
 * first release), `v2:…` with the same parts when bound to a context.
 */
export function createSecretBox(key: Buffer, retiredKeys: readonly Buffer[] = []): SecretBox {
  for (const candidate of [key, ...retiredKeys]) {
    if (candidate.length !== 32)
      throw new SecretBoxError('secret-box keys must be 32 bytes (AES-256)', SecretBoxFailure.KEY_INVALID)
  }
  const keys = new Map<string, Buffer>()
  for (const candidate of [key, ...retiredKeys]) keys.set(keyIdOf(candidate), candidate)
  const keyId = keyIdOf(key)

  const encrypt = (plaintext: string, context?: string): string => {
    checkContext(context)
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(associatedData(keyId, context))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    const tag = cipher.getAuthTag()
    return [
      context === undefined ? UNBOUND : BOUND,
      keyId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      body.toString('base64url')
    ].join(':')
  }

  const decrypt = (ciphertext: string, context?: string): string => {
    checkContext(context)
    const parts = ciphertext.split(':')
    if (parts.length !== 5 || (parts[0] !== UNBOUND && parts[0] !== BOUND))
      throw new SecretBoxError(
        'secret-box: unsupported ciphertext format',
        SecretBoxFailure.FORMAT_UNSUPPORTED
      )
    const [format, id, iv, tag, body] = parts
    // An unbound value is refused where a bound one is expected: it could have been copied from anywhere.
    if ((format === BOUND) !== (context !== undefined))
      throw new SecretBoxError(
        format === BOUND ? 'secret-box: value needs its context' : 'secret-box: value has no context',
        SecretBoxFailure.CONTEXT_MISMATCH
      )
    const material = keys.get(id)
    if (!material) throw new SecretBoxError(`secret-box: unknown key id ${id}`, SecretBoxFailure.KEY_UNKNOWN)
    try {
      // The tag length is pinned: a shortened tag (GCM accepts 4-16 bytes) would be easier to forge.
      const authTag = Buffer.from(tag, 'base64url')
      if (authTag.length !== TAG_BYTES) throw new Error('tag length')
      const decipher = createDecipheriv('aes-256-gcm', material, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES
      })
      decipher.setAAD(associatedData(id, context))
      decipher.setAuthTag(authTag)
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8'
      )
    } catch {
      throw new SecretBoxError('secret-box: value does not authenticate', SecretBoxFailure.UNREADABLE)
    }
  }

  return {
    keyId,
    keyIds: [...keys.keys()],
    encrypt,
    decrypt,
    encryptJson: (value, context) => encrypt(JSON.stringify(value), context),
    decryptJson: <T>(ciphertext: string, context?: string) => JSON.parse(decrypt(ciphertext, context)) as T,
    // The context is not in the value: any bound value under the current key is current.
    isCurrentBound: (ciphertext) => ciphertext.startsWith(`${BOUND}:${keyId}:`),
    isCurrentUnbound: (ciphertext) => ciphertext.startsWith(`${UNBOUND}:${keyId}:`)
  }
}

// Plugin and purpose names are kebab-case and tenant ids are ObjectIds: refusing ':' keeps the context's
// parts from shifting into each other.
function checkContextPart(what: string, value: string): void {
  if (!value || value.includes(':'))
    throw new SecretBoxError(
      `secret-box: a ${what} without ':' is required`,
      SecretBoxFailure.CONTEXT_MISMATCH
    )
}

/**
 * Values bound to `<owner>:<purpose>:tenant:<tenantId>`. `box` is asked on each call, so the box of the
 * running app (with its retired keys) is used however late it is built.
 */
export function purposeSecretBox(box: () => SecretBox, owner: string, purpose: string): PurposeSecretBox {
  checkContextPart('owner', owner)
  checkContextPart('purpose', purpose)
  const contextOf = (tenantId: string) => {
    checkContextPart('tenant id', tenantId)
    return `${owner}:${purpose}:tenant:${tenantId}`
  }
  return {
    encrypt: (plaintext, tenantId) => box().encrypt(plaintext, contextOf(tenantId)),
    decrypt: (ciphertext, tenantId) => box().decrypt(ciphertext, contextOf(tenantId)),
    isCurrent: (ciphertext) => box().isCurrentBound(ciphertext)
  }
}
