// The connected account id is stored bound to its tenant: ava's ciphertext copied into marco's record does
// not give marco ava's account, and a value written before tenants were bound is read and re-encrypted once.
import { createCipheriv, createHmac, randomBytes } from 'node:crypto'
import { runAsSystem } from '@masterstage/core'
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

/** The previous format (p1): associated data names the purpose only. */
function legacyEncrypt(plaintext: string): string {
  const key = createHmac('sha256', scenario.harness.config.encryptionKey)
    .update('payments.field-cipher.connected-account')
    .digest()
  const iv = randomBytes(12)
  const encryptor = createCipheriv('aes-256-gcm', key, iv)
  encryptor.setAAD(Buffer.from('payments:connected-account'))
  const body = Buffer.concat([encryptor.update(plaintext, 'utf8'), encryptor.final()])
  return [
    'p1',
    iv.toString('base64url'),
    encryptor.getAuthTag().toString('base64url'),
    body.toString('base64url')
  ].join(':')
}

describe('connected account ciphertexts', () => {
  it("are bound to the tenant: ava's value in marco's record does not decrypt", async () => {
    const { ava, marco } = scenario.harness.tenants
    const stolen = await storedOf(ava._id)
    expect(stolen).toMatch(/^p2:/)
    await inTenant(marco._id, () =>
      runtime().models.accounts.create({
        provider: runtime().provider.name,
        accountIdEncrypted: stolen,
        statusUpdatedAt: new Date(0)
      })
    )
    await expect(inTenant(marco._id, () => runtime().accountIdOf(marco._id))).rejects.toThrow()
    expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
  })

  it('reads a value written before and re-encrypts it bound to the tenant, once', async () => {
    const { ava } = scenario.harness.tenants
    await inTenant(ava._id, () =>
      runtime()
        .models.accounts.updateOne({}, { $set: { accountIdEncrypted: legacyEncrypt(scenario.accounts.ava) } })
        .exec()
    )
    expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
    const upgraded = await storedOf(ava._id)
    expect(upgraded).toMatch(/^p2:/)
    expect(runtime().secrets.decrypt(upgraded!, ava._id)).toBe(scenario.accounts.ava)
    // Now current: reading again writes nothing.
    expect(await inTenant(ava._id, () => runtime().accountIdOf(ava._id))).toBe(scenario.accounts.ava)
    expect(await storedOf(ava._id)).toBe(upgraded)
  })
})
