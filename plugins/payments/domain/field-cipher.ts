// LEGACY, read-only: decrypts the plugin's own formats from before core's ctx.secrets (p1: bound to the
// purpose; p2: to the purpose and the tenant), so their owner can read them once and write them again with
// ctx.secrets. Nothing writes these formats any more; `npm run secrets:rewrap` rewrites every stored one
// (account-id-at-rest.ts), after which this reader can go.
import { createDecipheriv, type KeyObject } from 'node:crypto'
import { SecretBoxError, SecretBoxFailure } from '@masterstage/core'

const FORMATS = ['p1', 'p2'] as const

export function isLegacyFieldValue(ciphertext: string): boolean {
  return FORMATS.some((format) => ciphertext.startsWith(`${format}:`))
}

/**
 * `derivedKey` is the plugin's ctx.secrets.derivedKey: these values were written under HMAC(platform key,
 * `payments.field-cipher.<purpose>`), which is its `field-cipher.<purpose>` key (core's derivation root
 * started as that platform key and outlives rotations). Throws a SecretBoxError when the value is not
 * legacy, or was not encrypted for this purpose and tenant.
 */
export function decryptLegacyField(
  derivedKey: (label: string) => KeyObject,
  purpose: string,
  ciphertext: string,
  tenantId: string
): string {
  const [format, iv, tag, body] = ciphertext.split(':')
  if (!isLegacyFieldValue(ciphertext) || !iv || !tag || body === undefined)
    throw new SecretBoxError('legacy field: unsupported format', SecretBoxFailure.FORMAT_UNSUPPORTED)
  if (format === 'p2' && (!tenantId || tenantId.includes(':')))
    throw new SecretBoxError('legacy field: a tenant id is required', SecretBoxFailure.CONTEXT_MISMATCH)
  const key = derivedKey(`field-cipher.${purpose}`)
  try {
    const authTag = Buffer.from(tag, 'base64url')
    // The tag length is pinned: a shortened tag (GCM accepts 4-16 bytes) would be easier to forge.
    if (authTag.length !== 16) throw new Error('tag length')
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 })
    decipher.setAAD(
      Buffer.from(format === 'p1' ? `payments:${purpose}` : `payments:${purpose}:tenant:${tenantId}`)
    )
    decipher.setAuthTag(authTag)
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    throw new SecretBoxError('legacy field: value does not authenticate', SecretBoxFailure.UNREADABLE)
  }
}
