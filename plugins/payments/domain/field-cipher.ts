// Encrypts tenant-level provider data at rest (AES-256-GCM under a key derived from the platform key).
// Core's secret box is not exported to plugins, so the plugin derives its own purpose-bound key.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'

export interface FieldCipher {
  encrypt(plaintext: string): string
  decrypt(ciphertext: string): string
}

export function createFieldCipher(platformKey: Buffer, purpose: string): FieldCipher {
  const key = createHmac('sha256', platformKey).update(`payments.field-cipher.${purpose}`).digest()
  const aad = Buffer.from(`payments:${purpose}`)
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(aad)
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return [
        'p1',
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url')
      ].join(':')
    },
    decrypt(ciphertext) {
      const [format, iv, tag, body] = ciphertext.split(':')
      if (format !== 'p1' || !iv || !tag || body === undefined)
        throw new Error('field-cipher: unsupported format')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(aad)
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8'
      )
    }
  }
}
