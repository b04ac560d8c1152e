// Unit tests of the AES-256-GCM secret box: round trip, tamper detection, key rotation.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSecretBox, keyIdOf } from '../../src/tenancy/secret-box.ts'

describe('secret box', () => {
  const key = randomBytes(32)
  const box = createSecretBox(key)

  it('round-trips values and never contains the plaintext', () => {
    const sealed = box.encryptJson({ apiKey: 'sk_live_super_secret' })
    expect(sealed.startsWith(`v1:${keyIdOf(key)}:`)).toBe(true)
    expect(sealed).not.toContain('sk_live_super_secret')
    expect(box.decryptJson(sealed)).toEqual({ apiKey: 'sk_live_super_secret' })
  })

  it('uses a fresh IV per encryption', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'))
  })

  it('detects tampering with the ciphertext, tag or key id', () => {
    const sealed = box.encrypt('value')
    const parts = sealed.split(':')
    const flip = (text: string) => (text[0] === 'A' ? `B${text.slice(1)}` : `A${text.slice(1)}`)
    expect(() => box.decrypt([...parts.slice(0, 4), flip(parts[4])].join(':'))).toThrow()
    expect(() => box.decrypt([...parts.slice(0, 3), flip(parts[3]), parts[4]].join(':'))).toThrow()
    expect(() => box.decrypt(['v1', '00000000', ...parts.slice(2)].join(':'))).toThrow(/unknown key id/)
    expect(() => box.decrypt('plain-text')).toThrow(/format/)
  })

  it('decrypts old values with a retired key after rotation, and writes with the new key', () => {
    const oldSealed = box.encrypt('before rotation')
    const newKey = randomBytes(32)
    const rotated = createSecretBox(newKey, [key])
    expect(rotated.decrypt(oldSealed)).toBe('before rotation')
    expect(rotated.encrypt('after').split(':')[1]).toBe(keyIdOf(newKey))
    expect(() => createSecretBox(newKey).decrypt(oldSealed)).toThrow()
  })

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/)
  })
})
