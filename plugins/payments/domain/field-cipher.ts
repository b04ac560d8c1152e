// Encrypts tenant-level provider data at rest (AES-256-GCM under a key derived from the platform key).
// Core's secret box is not exported to plugins, so the plugin derives its own purpose-bound key. The
// associated data binds a ciphertext to its purpose and its tenant (format p2): a value copied into another
// tenant's record does not decrypt there. Values written before (p1, purpose only) still decrypt and are
// re-encrypted as p2 by their owner (`isCurrent` tells them apart).
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'

export interface FieldCipher {
  encrypt(plaintext: string, tenantId: string): string
  /** Throws when the value was not encrypted for this purpose and tenant (or was changed). */
  decrypt(ciphertext: string, tenantId: string): string
  /** False for values in an older format, which should be written again with `encrypt`. */
  isCurrent(ciphertext: string): boolean
}

const CURRENT = 'p2'
const LEGACY = 'p1'

export function createFieldCipher(platformKey: Buffer, purpose: string): FieldCipher {
  const key = createHmac('sha256', platformKey).update(`payments.field-cipher.${purpose}`).digest()
  // ':' cannot occur in a purpose or tenant id, so the two parts cannot be shifted into each other.
  const aadOf = (format: string, tenantId: string) =>
    Buffer.from(format === LEGACY ? `payments:${purpose}` : `payments:${purpose}:tenant:${tenantId}`)
  return {
    encrypt(plaintext, tenantId) {
      if (!tenantId || tenantId.includes(':')) throw new Error('field-cipher: a tenant id is required')
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(aadOf(CURRENT, tenantId))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [
        CURRENT,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url')
      ].join(':')
    },
    decrypt(ciphertext, tenantId) {
      const [format, iv, tag, body] = ciphertext.split(':')
      if ((format !== CURRENT && format !== LEGACY) || !iv || !tag || body === undefined)
        throw new Error('field-cipher: unsupported format')
      if (format === CURRENT && (!tenantId || tenantId.includes(':')))
        throw new Error('field-cipher: a tenant id is required')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(aadOf(format, tenantId))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8'
      )
    },
    isCurrent(ciphertext) {
      return ciphertext.startsWith(`${CURRENT}:`)
    }
  }
}
