// ctx.secrets in the real app: values bound to the plugin, purpose and tenant under the platform key, and
// after a key rotation (PLATFORM_RETIRED_ENCRYPTION_KEYS) old values still decrypt and are reported for
// rewriting. Plugins get functions only, no key material.
import { createHmac, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PluginContext } from '../../src/plugins/plugin-context.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { createSecretBox, purposeSecretBox } from '../../src/tenancy/secret-box.ts'
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts'

const retiredKey = randomBytes(32)
const currentKey = randomBytes(32)
const contexts = new Map<string, PluginContext>()
const capturing = (name: string): PluginManifest => ({
  name,
  version: '1.0.0',
  description: `${name} plugin`,
  setup: (ctx) => void contexts.set(name, ctx)
})

let platform: TestPlatform
beforeAll(async () => {
  platform = await startTestPlatform('plugin-secrets', {
    plugins: [capturing('vault'), capturing('ledger')],
    config: { encryptionKey: currentKey, retiredEncryptionKeys: [retiredKey] }
  })
})
afterAll(() => platform?.close())

describe('plugin secrets (ctx.secrets)', () => {
  it('bind values to the plugin, the purpose and the tenant', () => {
    const tokens = contexts.get('vault')!.secrets.forPurpose('token')
    const sealed = tokens.encrypt('tok_1', 'tenant-a')
    expect(tokens.decrypt(sealed, 'tenant-a')).toBe('tok_1')
    expect(tokens.isCurrent(sealed)).toBe(true)
    expect(() => tokens.decrypt(sealed, 'tenant-b')).toThrow()
    expect(() => contexts.get('vault')!.secrets.forPurpose('other').decrypt(sealed, 'tenant-a')).toThrow()
    expect(() => contexts.get('ledger')!.secrets.forPurpose('token').decrypt(sealed, 'tenant-a')).toThrow()
    // The app's box: the platform key (a box under another key cannot read it).
    expect(createSecretBox(currentKey).decrypt(sealed, 'vault:token:tenant:tenant-a')).toBe('tok_1')
  })

  it('decrypt values written under a retired key and report them for rewriting', () => {
    const before = purposeSecretBox(() => createSecretBox(retiredKey), 'vault', 'token')
    const old = before.encrypt('tok_old', 'tenant-a')
    const tokens = contexts.get('vault')!.secrets.forPurpose('token')
    expect(tokens.decrypt(old, 'tenant-a')).toBe('tok_old')
    expect(tokens.isCurrent(old)).toBe(false)
    const rewritten = tokens.encrypt(tokens.decrypt(old, 'tenant-a'), 'tenant-a')
    expect(tokens.isCurrent(rewritten)).toBe(true)
    expect(() => before.decrypt(rewritten, 'tenant-a')).toThrow()
  })

  it('hand out functions only, no key material', () => {
    const secrets = contexts.get('vault')!.secrets
    const tokens = secrets.forPurpose('token')
    expect(Object.keys(secrets).sort()).toEqual(['derivedKey', 'forPurpose'])
    expect(Object.values(tokens).every((member) => typeof member === 'function')).toBe(true)
    expect(JSON.stringify({ secrets, tokens })).toBe('{"secrets":{},"tokens":{}}')
  })

  it('derive a key per plugin and label from the stored root, never the platform key itself', () => {
    const vault = contexts.get('vault')!.secrets
    const key = vault.derivedKey('links')
    expect(vault.derivedKey('links')).toBe(key)
    const bytes = key.export()
    const root = platform.app.get('access').derivationRoot as Buffer
    expect(bytes.equals(createHmac('sha256', root).update('vault.links').digest())).toBe(true)
    // A new platform's root is random, not its platform key.
    expect(root.equals(currentKey)).toBe(false)
    expect(bytes.equals(currentKey)).toBe(false)
    expect(vault.derivedKey('other').export().equals(bytes)).toBe(false)
    expect(contexts.get('ledger')!.secrets.derivedKey('links').export().equals(bytes)).toBe(false)
  })

  it('show plugins the configuration without the key material', () => {
    const config = contexts.get('vault')!.config as Record<string, unknown>
    for (const secret of ['encryptionKey', 'retiredEncryptionKeys', 'jwtSecret'])
      expect(config).not.toHaveProperty(secret)
    expect(config.publicApiUrl).toBe(platform.app.get('config').publicApiUrl)
    expect(Object.isFrozen(config)).toBe(true)
  })
})
