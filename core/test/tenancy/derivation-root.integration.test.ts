// Plugins' derived keys survive a rotation of PLATFORM_ENCRYPTION_KEY (stored hashes and signatures made
// with them stay valid), the stored root is wrapped again under the new key, and a start whose keys cannot
// unwrap the root stops with a ConfigError instead of deriving different keys.
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../src/data/connect.ts'
import type { PluginContext } from '../../src/plugins/plugin-context.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { testDatabaseUri } from '../support/database.ts'
import { startTestPlatform } from '../support/test-platform.ts'

const mongoUri = testDatabaseUri('derivation-root')
const [firstKey, secondKey, strangerKey] = [randomBytes(32), randomBytes(32), randomBytes(32)]

async function derivedBytes(encryptionKey: Buffer, retiredEncryptionKeys: Buffer[]) {
  let context: PluginContext | undefined
  const plugin: PluginManifest = {
    name: 'ledger',
    version: '1.0.0',
    description: 'ledger plugin',
    setup: (ctx) => {
      context = ctx
    }
  }
  const platform = await startTestPlatform('derivation-root', {
    plugins: [plugin],
    sharedDatabase: true,
    config: { mongoUri, encryptionKey, retiredEncryptionKeys }
  })
  try {
    return context!.secrets.derivedKey('links').export()
  } finally {
    await platform.close()
  }
}

async function storedRoot(): Promise<string> {
  const connection = await connectDatabase(mongoUri)
  try {
    const record = await connection
      .db!.collection('platform_secrets')
      .findOne({ _id: 'derivation-root' as any })
    return String(record?.wrapped)
  } finally {
    await connection.close()
  }
}

afterAll(async () => {
  const connection = await connectDatabase(mongoUri)
  await connection.dropDatabase()
  await connection.close()
})

describe('key-derivation root', () => {
  it('keeps derived keys through a key rotation and rewraps the root under the new key', async () => {
    const before = await derivedBytes(firstKey, [])
    const wrappedBefore = await storedRoot()
    // The new key with the old one retired: the same derived key, the root now under the new key.
    const after = await derivedBytes(secondKey, [firstKey])
    expect(after.equals(before)).toBe(true)
    const wrappedAfter = await storedRoot()
    expect(wrappedAfter).not.toBe(wrappedBefore)
    // Once rewrapped, the old key is no longer needed.
    expect((await derivedBytes(secondKey, [])).equals(before)).toBe(true)
  })

  it('refuses to start when no configured key unwraps the stored root', async () => {
    await expect(derivedBytes(strangerKey, [])).rejects.toMatchObject({
      data: { code: 'CONFIG_INVALID', problems: [{ variable: 'PLATFORM_RETIRED_ENCRYPTION_KEYS' }] }
    })
  })
})
