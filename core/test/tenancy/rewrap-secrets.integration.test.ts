// After a key rotation, rewrapAllSecrets (npm run secrets:rewrap) writes tenants' plugin secrets under a
// retired key again under the current key, leaves current ones alone, lists unreadable ones by tenant, plugin
// and secret name (never the value), and hands every plugin's rewrapSecrets all tenant ids with progress.
import { randomBytes } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PluginContext } from '../../src/plugins/plugin-context.ts'
import type { PluginManifest, SecretsRewrapPass } from '../../src/plugins/plugin-manifest.ts'
import { ROOT_PART, rewrapAllSecrets, TENANT_SECRETS_PART } from '../../src/tenancy/rewrap-secrets.ts'
import { createSecretBox } from '../../src/tenancy/secret-box.ts'
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts'

const retiredKey = randomBytes(32)
const currentKey = randomBytes(32)
let vaultContext: PluginContext | undefined
const passes: SecretsRewrapPass[] = []
const vault: PluginManifest = {
  name: 'vault',
  version: '1.0.0',
  description: 'a plugin with tenant secrets and data of its own',
  config: { secrets: Type.Object({ apiKey: Type.String(), webhookSecret: Type.Optional(Type.String()) }) },
  setup: (ctx) => {
    vaultContext = ctx
  },
  rewrapSecrets: async (_ctx, pass) => {
    passes.push(pass)
    for (let index = 0; index < pass.tenantIds.length; index++) pass.progress(index + 1)
    return { rewritten: 0, current: pass.tenantIds.length, failed: [] }
  }
}

let platform: TestPlatform
const tenantIds: string[] = []
beforeAll(async () => {
  platform = await startTestPlatform('rewrap-secrets', {
    plugins: [vault],
    config: { encryptionKey: currentKey, retiredEncryptionKeys: [retiredKey] }
  })
  const agency = await platform.app
    .service('agencies')
    .create({ slug: 'rewrap-agency', name: 'Rewrap' } as any, {})
  for (const slug of ['rewrap-a', 'rewrap-b']) {
    const tenant = await platform.app
      .service('tenants')
      .create({ slug, name: slug, agencyId: (agency as any)._id } as any, {})
    tenantIds.push(String((tenant as any)._id))
  }
  await (platform.app.service('tenants') as any).enablePlugin({
    tenantId: tenantIds[0],
    plugin: 'vault',
    secrets: { apiKey: 'sk_current' }
  })
  await (platform.app.service('tenants') as any).enablePlugin({
    tenantId: tenantIds[1],
    plugin: 'vault',
    secrets: { apiKey: 'sk_new_placeholder', webhookSecret: 'whsec_placeholder' }
  })
})
afterAll(() => platform?.close())

const Tenant = () => platform.app.get('access').tenancy.Tenant
const storedSecrets = async (tenantId: string) =>
  ((await Tenant().findById(tenantId).lean().exec()) as any).enabledPlugins[0].secretsEncrypted as Record<
    string,
    string
  >
const setStored = (tenantId: string, name: string, value: string) =>
  Tenant()
    .updateOne({ _id: tenantId }, { $set: { [`enabledPlugins.0.secretsEncrypted.${name}`]: value } })
    .exec()

describe('rewrapAllSecrets', () => {
  it('writes values under a retired key again under the current key, once, and keeps them readable', async () => {
    const retired = createSecretBox(retiredKey)
    // Tenant b's secrets and the key-derivation root as they were written before the rotation.
    await setStored(tenantIds[1], 'apiKey', retired.encryptJson('sk_old'))
    await setStored(tenantIds[1], 'webhookSecret', retired.encryptJson('whsec_old'))
    const root = platform.app.get('access').derivationRoot
    const secrets = platform.app.get('mongoose').collection('platform_secrets')
    await secrets.updateOne(
      { _id: 'derivation-root' as any },
      { $set: { wrapped: retired.encrypt(root.toString('base64'), 'platform:derivation-root') } }
    )
    const currentBefore = await storedSecrets(tenantIds[0])
    const revisionBefore = ((await Tenant().findById(tenantIds[1]).lean().exec()) as any).revision
    const progress: [string, number][] = []
    const report = await rewrapAllSecrets(platform.app, (part, checked) => progress.push([part, checked]))
    const box = platform.app.get('access').secretBox
    expect(report.keyId).toBe(box.keyId)
    expect(report.verified).toBe(true)
    // Totals over the passes; `current` as the last (verifying) pass found them.
    expect(report.parts).toEqual([
      { name: ROOT_PART, result: { rewritten: 1, current: 1, failed: [] } },
      { name: TENANT_SECRETS_PART, result: { rewritten: 2, current: 3, failed: [] } },
      { name: 'vault', result: expect.objectContaining({ rewritten: 0, failed: [] }) }
    ])
    const rewritten = await storedSecrets(tenantIds[1])
    for (const value of Object.values(rewritten))
      expect(value.split(':').slice(0, 2)).toEqual(['v1', box.keyId])
    expect(await vaultContext!.tenants.secrets(tenantIds[1])).toEqual({
      apiKey: 'sk_old',
      webhookSecret: 'whsec_old'
    })
    // The retired key alone no longer reads them; the current value was not touched.
    expect(() => createSecretBox(retiredKey).decryptJson(rewritten.apiKey)).toThrow()
    expect(await storedSecrets(tenantIds[0])).toEqual(currentBefore)
    // The root: the same root, now under the current key.
    const wrapped = ((await secrets.findOne({ _id: 'derivation-root' as any })) as any).wrapped as string
    expect(wrapped.split(':').slice(0, 2)).toEqual(['v2', box.keyId])
    expect(box.decrypt(wrapped, 'platform:derivation-root')).toBe(root.toString('base64'))
    // The tenant's revision moved: a reconfiguration that read before the rewrap now conflicts instead of
    // writing the old ciphertexts back.
    const revisionAfter = ((await Tenant().findById(tenantIds[1]).lean().exec()) as any).revision
    expect(revisionAfter).toBe(revisionBefore + 1)
    const stale = await Tenant()
      .findOneAndUpdate({ _id: tenantIds[1], revision: revisionBefore }, { $inc: { revision: 1 } })
      .exec()
    expect(stale).toBeNull()
    // Progress per tenant in each pass, then the plugin's own pass with every tenant id in order.
    const all = (await Tenant().find({}, { _id: 1 }).sort({ _id: 1 }).lean().exec()).map((t: any) =>
      String(t._id)
    )
    const tenantProgress = progress.filter(([part]) => part === TENANT_SECRETS_PART).map(([, n]) => n)
    expect(tenantProgress).toEqual([...all.map((_, index) => index + 1), ...all.map((_, index) => index + 1)])
    expect(passes.at(-1)?.tenantIds).toEqual(all)

    const again = await rewrapAllSecrets(platform.app, () => undefined)
    expect(again.verified).toBe(true)
    expect(again.parts[1].result).toEqual({ rewritten: 0, current: 3, failed: [] })
    expect(await storedSecrets(tenantIds[1])).toEqual(rewritten)
  })

  it('lists a value no configured key reads by tenant, plugin and name, never by value, and leaves it', async () => {
    const unknownKey = createSecretBox(randomBytes(32)).encryptJson('sk_lost')
    await setStored(tenantIds[1], 'apiKey', unknownKey)
    const report = await rewrapAllSecrets(platform.app, () => undefined)
    expect(report.verified).toBe(false)
    expect(report.parts[1].result).toEqual({
      rewritten: 0,
      current: 2,
      failed: [{ id: `tenant ${tenantIds[1]} plugin vault secret apiKey`, reason: 'SECRET_KEY_UNKNOWN' }]
    })
    expect(JSON.stringify(report)).not.toContain('sk_lost')
    expect((await storedSecrets(tenantIds[1])).apiKey).toBe(unknownKey)
  })
})
