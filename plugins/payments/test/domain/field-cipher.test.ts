// The legacy field formats (p1: purpose only; p2: purpose and tenant) still decrypt, read-only, with their
// bindings: values made by the plugin's previous cipher, fixed here, and made the way it made them.
import { createCipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto'
import { SecretBoxFailure } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { decryptLegacyField, isLegacyFieldValue } from '../../domain/field-cipher.ts'

/** The key the fixtures below were written under (its ASCII bytes). */
const fixtureKey = Buffer.from('masterstage-secret-box-v1-fixtur')
const fixtureTenant = '65f0c0ffee0000000000a0a0'
/** Written by the previous createFieldCipher(fixtureKey, 'connected-account').encrypt('acct_1P2Fixture', fixtureTenant). */
const writtenP2 = 'p2:Z8LBVqaHvq77EED8:hMuG-oNu9BSwAbXT-od7_A:l2_Z4wKAuTl-ewL-QumV'

/** The p1 format: AES-256-GCM with `payments:<purpose>` as associated data, no tenant. */
function p1Encrypt(plaintext: string, purpose = 'connected-account'): string {
  const key = createHmac('sha256', fixtureKey).update(`payments.field-cipher.${purpose}`).digest()
  const iv = randomBytes(12)
  const encryptor = createCipheriv('aes-256-gcm', key, iv)
  encryptor.setAAD(Buffer.from(`payments:${purpose}`))
  const body = Buffer.concat([encryptor.update(plaintext, 'utf8'), encryptor.final()])
  return ['p1', iv, encryptor.getAuthTag(), body]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join(':')
}

/** What ctx.secrets.derivedKey gives the payments plugin on a platform with `platformKey`. */
const keysOf = (platformKey: Buffer) => (label: string) =>
  createSecretKey(createHmac('sha256', platformKey).update(`payments.${label}`).digest())

const reasonOf = (work: () => unknown) => {
  try {
    work()
  } catch (error) {
    return (error as { data?: { reason?: string } }).data?.reason
  }
  return undefined
}

describe('legacy field values', () => {
  it("decrypt p2 for its tenant only: a value copied to another tenant's record does not decrypt", () => {
    expect(isLegacyFieldValue(writtenP2)).toBe(true)
    expect(decryptLegacyField(keysOf(fixtureKey), 'connected-account', writtenP2, fixtureTenant)).toBe(
      'acct_1P2Fixture'
    )
    expect(
      reasonOf(() => decryptLegacyField(keysOf(fixtureKey), 'connected-account', writtenP2, 'tenant-marco'))
    ).toBe(SecretBoxFailure.UNREADABLE)
    expect(() => decryptLegacyField(keysOf(fixtureKey), 'other-purpose', writtenP2, fixtureTenant)).toThrow()
    expect(() =>
      decryptLegacyField(keysOf(randomBytes(32)), 'connected-account', writtenP2, fixtureTenant)
    ).toThrow()
    // Relabelled as p1 it does not decrypt either (different associated data).
    expect(() =>
      decryptLegacyField(
        keysOf(fixtureKey),
        'connected-account',
        writtenP2.replace(/^p2:/, 'p1:'),
        fixtureTenant
      )
    ).toThrow()
  })

  it('decrypt p1 (purpose-bound only)', () => {
    const old = p1Encrypt('acct_1Old')
    expect(isLegacyFieldValue(old)).toBe(true)
    expect(decryptLegacyField(keysOf(fixtureKey), 'connected-account', old, 'tenant-ava')).toBe('acct_1Old')
    expect(() =>
      decryptLegacyField(
        keysOf(fixtureKey),
        'connected-account',
        p1Encrypt('acct_1Old', 'other-purpose'),
        'tenant-ava'
      )
    ).toThrow()
  })

  it('are refused with a shortened tag (GCM accepts 4-byte tags, which are easier to forge)', () => {
    const old = p1Encrypt('acct_1Short')
    const [format, iv, tag, body] = old.split(':')
    const shortened = (bytes: number) =>
      [format, iv, Buffer.from(tag, 'base64url').subarray(0, bytes).toString('base64url'), body].join(':')
    expect(decryptLegacyField(keysOf(fixtureKey), 'connected-account', old, 'tenant-ava')).toBe('acct_1Short')
    for (const bytes of [4, 12])
      expect(
        reasonOf(() =>
          decryptLegacyField(keysOf(fixtureKey), 'connected-account', shortened(bytes), 'tenant-ava')
        )
      ).toBe(SecretBoxFailure.UNREADABLE)
  })

  it('are told apart from core secret box values, which the legacy reader refuses', () => {
    const boxValue = 'v2:1ef20a3c:Z8LBVqaHvq77EED8:hMuG-oNu9BSwAbXT-od7_A:l2_Z4wKAuTl-ewL-QumV'
    expect(isLegacyFieldValue(boxValue)).toBe(false)
    expect(
      reasonOf(() => decryptLegacyField(keysOf(fixtureKey), 'connected-account', boxValue, fixtureTenant))
    ).toBe(SecretBoxFailure.FORMAT_UNSUPPORTED)
  })
})
