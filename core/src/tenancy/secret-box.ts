// Encrypts per-tenant plugin secrets at rest (AES-256-GCM). Ciphertexts carry a key id so the key can be
// rotated: old values stay readable with a retired key while new writes use the current one.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const FORMAT = 'v1'
const IV_BYTES = 12

export interface SecretBox {
  /** Id of the key new ciphertexts are written with (first 8 hex chars of the key's SHA-256). */
  readonly keyId: string
  encrypt(plaintext: string): string
  /** Throws when the ciphertext is malformed, was tampered with, or its key is unknown. */
  decrypt(ciphertext: string): string
  encryptJson(value: unknown): string
  decryptJson<T = unknown>(ciphertext: string): T
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}

/**
 * `key` is the current 32-byte key; `retiredKeys` decrypt values written before a rotation.
 * Format: `v1:<keyId>:<iv b64url>:<tag b64url>:<ciphertext b64url>`.
 */
export function createSecretBox(key: Buffer, retiredKeys: readonly Buffer[] = []): SecretBox {
  for (const candidate of [key, ...retiredKeys]) {
    if (candidate.length !== 32) throw new Error('secret-box keys must be 32 bytes (AES-256)')
  }
  const keys = new Map<string, Buffer>()
  for (const candidate of [key, ...retiredKeys]) keys.set(keyIdOf(candidate), candidate)
  const keyId = keyIdOf(key)

  const encrypt = (plaintext: string): string => {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    // The key id is authenticated too, so a value cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(`${FORMAT}:${keyId}`))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    const tag = cipher.getAuthTag()
    return [
      FORMAT,
      keyId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      body.toString('base64url')
    ].join(':')
  }

  const decrypt = (ciphertext: string): string => {
    const parts = ciphertext.split(':')
    if (parts.length !== 5 || parts[0] !== FORMAT)
      throw new Error('secret-box: unsupported ciphertext format')
    const [, id, iv, tag, body] = parts
    const material = keys.get(id)
    if (!material) throw new Error(`secret-box: unknown key id ${id}`)
    const decipher = createDecipheriv('aes-256-gcm', material, Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(`${FORMAT}:${id}`))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }

  return {
    keyId,
    encrypt,
    decrypt,
    encryptJson: (value) => encrypt(JSON.stringify(value)),
    decryptJson: <T>(ciphertext: string) => JSON.parse(decrypt(ciphertext)) as T
  }
}
