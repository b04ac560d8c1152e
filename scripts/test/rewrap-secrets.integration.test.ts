// `npm run secrets:rewrap` against a real database after a key rotation: values under the retired key are
// written again under the current key with progress per part, a second run finds nothing to do, and a
// value no key reads is listed (exit 1) and left alone.
import { randomBytes } from 'node:crypto'
import { MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSecretBox, keyIdOf, purposeSecretBox } from '../../core/src/tenancy/secret-box.ts'
import { runScript, scriptDatabaseUri, scriptEnvironment } from './support/run-script.ts'

describe('secrets:rewrap', { timeout: 120_000 }, () => {
  const uri = scriptDatabaseUri('rewrap-secrets-script')
  const before = scriptEnvironment(uri)
  const retiredKey = Buffer.from(before.PLATFORM_ENCRYPTION_KEY!, 'base64')
  const currentKey = randomBytes(32)
  // The same deployment restarted after a rotation: a new key, the old one retired.
  const rotated = {
    ...before,
    PLATFORM_ENCRYPTION_KEY: currentKey.toString('base64'),
    PLATFORM_RETIRED_ENCRYPTION_KEYS: retiredKey.toString('base64')
  }
  const accounts = () => client.db().collection('payments_connected_account')
  let client: MongoClient
  let tenantId: string

  beforeAll(async () => {
    client = await MongoClient.connect(uri)
    expect(
      (await runScript('create-agency.ts', ['--slug', 'rewrap-agency', '--name', 'Rewrap'], before)).code
    ).toBe(0)
    const tenant = await runScript(
      'create-tenant.ts',
      ['--agency', 'rewrap-agency', '--slug', 'rewrap-tenant', '--name', 'Rewrap Tenant'],
      before
    )
    expect(tenant.code, tenant.stderr).toBe(0)
    tenantId = String((await client.db().collection('tenants').findOne({ slug: 'rewrap-tenant' }))!._id)
    // A connected account stored before the rotation, as the payments plugin writes it.
    const old = purposeSecretBox(() => createSecretBox(retiredKey), 'payments', 'connected-account')
    await accounts().insertOne({
      tenantId,
      provider: 'sandbox',
      accountIdEncrypted: old.encrypt('acct_before_rotation', tenantId),
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      requirementsDue: [],
      statusUpdatedAt: new Date()
    })
  })
  afterAll(async () => {
    await client.db().dropDatabase()
    await client.close()
  })

  it('rewrites what is under the retired key, shows progress, and finds nothing the second time', async () => {
    const first = await runScript('rewrap-secrets.ts', [], rotated)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('▸ tenant plugin secrets')
    expect(first.stdout).toMatch(/▸ payments\n {2}\d+ tenant\(s\) checked/)
    expect(first.stdout).toContain('payments: 1 rewritten, 1 under the current key, 0 failed')
    const keyId = keyIdOf(currentKey)
    expect(first.stdout).toContain(`✔ every stored secret is under key ${keyId} (1 rewritten)`)
    const stored = (await accounts().findOne({ tenantId }))!.accountIdEncrypted as string
    expect(stored.split(':').slice(0, 2)).toEqual(['v2', keyId])
    const current = purposeSecretBox(() => createSecretBox(currentKey), 'payments', 'connected-account')
    expect(current.decrypt(stored, tenantId)).toBe('acct_before_rotation')

    const second = await runScript('rewrap-secrets.ts', [], rotated)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('payments: 0 rewritten, 1 under the current key, 0 failed')
    // The retired key is no longer needed: the platform starts and reads with the current key alone.
    const { PLATFORM_RETIRED_ENCRYPTION_KEYS: _, ...currentOnly } = rotated
    expect((await runScript('rewrap-secrets.ts', [], currentOnly)).code).toBe(0)
  })

  it('lists a value no configured key reads (exit 1), never its content, and leaves it', async () => {
    const lost = purposeSecretBox(() => createSecretBox(randomBytes(32)), 'payments', 'connected-account')
    const value = lost.encrypt('acct_lost_key', tenantId)
    await accounts().updateOne({ tenantId }, { $set: { accountIdEncrypted: value } })
    const result = await runScript('rewrap-secrets.ts', [], rotated)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      new RegExp(`✖ connected account \\w+ of tenant ${tenantId}: SECRET_KEY_UNKNOWN`)
    )
    expect(result.stderr).toContain('keep PLATFORM_RETIRED_ENCRYPTION_KEYS')
    expect(result.stdout + result.stderr).not.toContain('acct_lost_key')
    expect((await accounts().findOne({ tenantId }))!.accountIdEncrypted).toBe(value)
  })
})
