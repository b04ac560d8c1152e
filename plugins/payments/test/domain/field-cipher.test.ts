// The field cipher binds a ciphertext to its purpose and its tenant; values of the older format (purpose
// only, made here the way the previous code made them) still decrypt and are reported as not current.
import { createCipheriv, createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createFieldCipher } from '../../domain/field-cipher.ts'

const platformKey = randomBytes(32)
const cipher = createFieldCipher(platformKey, 'connected-account')

/** The p1 format: AES-256-GCM with `payments:<purpose>` as associated data, no tenant. */
function legacyEncrypt(plaintext: string, purpose = 'connected-account'): string {
  const key = createHmac('sha256', platformKey).update(`payments.field-cipher.${purpose}`).digest()
  const iv = randomBytes(12)
  const encryptor = createCipheriv('aes-256-gcm', key, iv)
  encryptor.setAAD(Buffer.from(`payments:${purpose}`))
  const body = Buffer.concat([encryptor.update(plaintext, 'utf8'), encryptor.final()])
  return ['p1', iv, encryptor.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join(':')
}

describe('field cipher', () => {
  it("decrypts for its tenant only: a value copied to another tenant's record does not decrypt", () => {
    const value = cipher.encrypt('acct_1Ava', 'tenant-ava')
    expect(cipher.isCurrent(value)).toBe(true)
    expect(cipher.decrypt(value, 'tenant-ava')).toBe('acct_1Ava')
    expect(() => cipher.decrypt(value, 'tenant-marco')).toThrow()
    expect(() => createFieldCipher(platformKey, 'other-purpose').decrypt(value, 'tenant-ava')).toThrow()
    // Relabelled as the old format it does not decrypt either (different associated data).
    expect(() => cipher.decrypt(value.replace(/^p2:/, 'p1:'), 'tenant-ava')).toThrow()
  })

  it('still decrypts values written before (purpose-bound only) and marks them for re-encryption', () => {
    const old = legacyEncrypt('acct_1Old')
    expect(cipher.isCurrent(old)).toBe(false)
    expect(cipher.decrypt(old, 'tenant-ava')).toBe('acct_1Old')
    expect(() => cipher.decrypt(legacyEncrypt('acct_1Old', 'other-purpose'), 'tenant-ava')).toThrow()
  })

  it('refuses to encrypt without a tenant id', () => {
    expect(() => cipher.encrypt('acct_1Ava', '')).toThrow(/tenant/)
  })
})
