// The connected account id is stored through core's ctx.secrets, bound to its tenant: ava's ciphertext copied
// into marco's record does not give marco ava's account; values in the plugin's legacy formats (p1, p2) and
// values under a retired platform key are read and written again under the current key, once.
import { createCipheriv, randomBytes } from 'node:crypto'
import { createSecretBox, purposeSecretBox, rewrapAllSecrets, runAsSystem } from '@masterstage/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StripeScenario, startStripeScenario } from '../support/stripe-scenario.ts'

let scenario: StripeScenario

beforeAll(async () => {
  scenario = await startStripeScenario('account-cipher')
})
afterAll(() => scenario?.close())

const runtime = () => scenario.harness.runtime
const inTenant = <T>(tenantId: string, work: () => Promise<T>) => runAsSystem('test', tenantId, work)
const storedOf = (tenantId: string) =>
  inTenant(
    tenantId,
    async () =>
      ((await runtime().models.accounts.findOne({}).select('+accountIdEncrypted').lean()) as any)
        ?.accountIdEncrypted as string | undefined
  )
const store = (tenantId: string, accountIdEncrypted: string) =>
  inTenant(tenantId, () => runtime().models.accounts.updateOne({}, { $set: { accountIdEncrypted } }).exec())

/** The plugin's previous formats: p1 names the purpose in the associated data, p2 the tenant too. */
function legacyEncrypt(format: 'p1' | 'p2', plaintext: string, tenantId: string): string {
  // The plugin's field-cipher key, which the legacy reader uses: on a platform upgraded from before core's
  // stored derivation root it is HMAC(platform key, 'payments.field-cipher.connected-account') (core's
  // derivation-root test and the reader's unit test cover those two steps; this test platform is new).
  const key = runtime().ctx.secrets.derivedKey('field-cipher.connected-account')
  const iv = randomBytes(12)
  const encryptor = createCipheriv('aes-256-gcm', key, iv)
  encryptor.setAAD(
    Buffer.from(
      format === 'p1' ? 'payments:connected-account' : `payments:connected-account:tenant:${tenantId}`
    )
  )
  const body = Buffer.concat([encryptor.update(plaintext, 'utf8'), encryptor.final()])
  return [
    format,
    iv.toString('base64url'),
    encryptor.getAuthTag().toString('base64url'),
    body.toString('base64url')
  ].join(':')
}

describe('connected account ciphertexts', () => {
  it("are bound to the tenant: ava's value in marco's record does not decrypt", async () => {
    const { ava, marco } = scenario.harness.tenants
    const stolen = await storedOf(ava._id)
    expect(stolen).toMatch(/^v2:/)
    await inTenant(marco._id, () =>
      runtime().models.accounts.create({
        provider: runtime().provider.name,
        accountIdEncrypted: stolen,
        statusUpdatedAt: new Date(0)
      })
    )
    await expect(inTenant(marco._id, () => runtime().accountIdOf(marco._id))).rejects.toThrow()
    expect(await storedOf(marco._id)).toBe(stolen)
    expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
  })

  it.each(['p1', 'p2'] as const)(
    'reads a %s value and writes it again with ctx.secrets, once',
    async (format) => {
      const { ava } = scenario.harness.tenants
      await store(ava._id, legacyEncrypt(format, scenario.accounts.ava, ava._id))
      expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
      const upgraded = await storedOf(ava._id)
      expect(upgraded).toMatch(/^v2:/)
      expect(runtime().secrets.decrypt(upgraded!, ava._id)).toBe(scenario.accounts.ava)
      // Now current: reading again writes nothing.
      expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
      expect(await storedOf(ava._id)).toBe(upgraded)
    }
  )

  it('reads a p2 value copied from another tenant as unreadable and leaves it', async () => {
    const { ava, marco } = scenario.harness.tenants
    const foreign = legacyEncrypt('p2', scenario.accounts.ava, ava._id)
    await store(marco._id, foreign)
    await expect(inTenant(marco._id, () => runtime().accountIdOf(marco._id))).rejects.toThrow()
    expect(await storedOf(marco._id)).toBe(foreign)
  })

  it('reads a value under a retired key and writes it again under the current key, once', async () => {
    const { ava } = scenario.harness.tenants
    const access = scenario.harness.app.get('access')
    const startedWith = access.secretBox
    const retiredKey = scenario.harness.config.encryptionKey
    const written = await storedOf(ava._id)
    // A restart after a key rotation: a new platform key, the old one given as retired to configureAccess.
    // The payments harness has no access options, so the running app's box is swapped instead.
    access.secretBox = createSecretBox(randomBytes(32), [retiredKey])
    try {
      expect(written!.split(':').slice(0, 2)).toEqual(['v2', startedWith.keyId])
      expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
      const rewritten = await storedOf(ava._id)
      expect(rewritten!.split(':').slice(0, 2)).toEqual(['v2', access.secretBox.keyId])
      expect(runtime().secrets.isCurrent(rewritten!)).toBe(true)
      // Under the new key only: the retired key alone no longer reads it.
      const retiredOnly = purposeSecretBox(() => createSecretBox(retiredKey), 'payments', 'connected-account')
      expect(() => retiredOnly.decrypt(rewritten!, ava._id)).toThrow()
      // Now current: reading again writes nothing.
      expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
      expect(await storedOf(ava._id)).toBe(rewritten)
    } finally {
      access.secretBox = startedWith
      await store(ava._id, written!)
    }
  })

  it('are all rewritten by a rewrap pass (secrets:rewrap): legacy and retired-key values of every tenant; foreign values listed', async () => {
    const { ava, marco } = scenario.harness.tenants
    const access = scenario.harness.app.get('access')
    const startedWith = access.secretBox
    const retiredKey = scenario.harness.config.encryptionKey
    const avaBefore = await storedOf(ava._id)
    const marcoBefore = await storedOf(marco._id)
    // ava: a legacy value; marco: a value under the key that is about to be retired.
    await store(ava._id, legacyEncrypt('p2', scenario.accounts.ava, ava._id))
    const marcoAccount = 'acct_marco_rewrap'
    await store(marco._id, runtime().secrets.encrypt(marcoAccount, marco._id))
    access.secretBox = createSecretBox(randomBytes(32), [retiredKey])
    try {
      const checked: [string, number][] = []
      const report = await rewrapAllSecrets(scenario.harness.app, (part, count) =>
        checked.push([part, count])
      )
      const payments = report.parts.find((part) => part.name === 'payments')!.result
      expect(payments).toEqual({ rewritten: 2, current: 2, failed: [] })
      expect(report.verified).toBe(true)
      expect(report.keyId).toBe(access.secretBox.keyId)
      const tenantCount = await access.tenancy.Tenant.countDocuments({}).exec()
      // Progress per tenant of the platform, in order, in each pass (the second one verifies).
      const perPass = Array.from({ length: tenantCount }, (_, index) => index + 1)
      expect(checked.filter(([part]) => part === 'payments').map(([, count]) => count)).toEqual([
        ...perPass,
        ...perPass
      ])
      for (const [tenantId, account] of [
        [ava._id, scenario.accounts.ava],
        [marco._id, marcoAccount]
      ]) {
        const stored = await storedOf(tenantId)
        expect(stored!.split(':').slice(0, 2)).toEqual(['v2', access.secretBox.keyId])
        expect(runtime().secrets.decrypt(stored!, tenantId)).toBe(account)
      }
      // Again: nothing left to do.
      const again = await rewrapAllSecrets(scenario.harness.app, () => undefined)
      expect(again.parts.find((part) => part.name === 'payments')!.result).toEqual({
        rewritten: 0,
        current: 2,
        failed: []
      })
      // A value of another tenant cannot be rewritten: listed by record, never by value, and left as it is.
      const foreign = legacyEncrypt('p2', scenario.accounts.ava, ava._id)
      await store(marco._id, foreign)
      const refused = await rewrapAllSecrets(scenario.harness.app, () => undefined)
      const failed = refused.parts.find((part) => part.name === 'payments')!.result.failed
      expect(failed).toEqual([
        { id: expect.stringContaining(`of tenant ${marco._id}`), reason: 'SECRET_UNREADABLE' }
      ])
      expect(JSON.stringify(failed)).not.toContain(scenario.accounts.ava)
      expect(await storedOf(marco._id)).toBe(foreign)
    } finally {
      access.secretBox = startedWith
      await store(ava._id, avaBefore!)
      if (marcoBefore) await store(marco._id, marcoBefore)
    }
  })
})
