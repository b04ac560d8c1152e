// The key-derivation root behind plugins' derived keys: random on a new platform, the platform key on one
// that had tenants before the root existed (its derived values keep their values), unchanged through a key
// rotation (rewrapped under the new key), agreed on by processes starting together, and a start that cannot
// use it (unknown key, damaged record, a missing root after a rotation) stops with a ConfigError.
import { createHmac, randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../src/data/connect.ts'
import type { PluginContext } from '../../src/plugins/plugin-context.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { loadDerivationRoot } from '../../src/tenancy/derivation-root.ts'
import { createSecretBox, keyIdOf } from '../../src/tenancy/secret-box.ts'
import { testDatabaseUri } from '../support/database.ts'
import { startTestPlatform } from '../support/test-platform.ts'

const [firstKey, secondKey, strangerKey] = [randomBytes(32), randomBytes(32), randomBytes(32)]
let databases = 0
const freshDatabase = () => testDatabaseUri(`derivation-root-${++databases}`)
const used: string[] = []

/** The `links` key the `ledger` plugin derives on a platform started on `mongoUri` with these keys. */
async function derivedBytes(
  mongoUri: string,
  encryptionKey: Buffer,
  retiredEncryptionKeys: Buffer[] = [],
  extra: { derivationRootFromKey?: boolean } = {}
) {
  used.push(mongoUri)
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
    config: { mongoUri, encryptionKey, retiredEncryptionKeys, ...extra }
  })
  try {
    return context!.secrets.derivedKey('links').export()
  } finally {
    await platform.close()
  }
}

async function withDatabase<T>(mongoUri: string, work: (db: any) => Promise<T>): Promise<T> {
  const connection = await connectDatabase(mongoUri)
  try {
    return await work(connection.db!)
  } finally {
    await connection.close()
  }
}

const storedRoot = (mongoUri: string) =>
  withDatabase(mongoUri, async (db) =>
    String((await db.collection('platform_secrets').findOne({ _id: 'derivation-root' }))?.wrapped)
  )

afterAll(async () => {
  for (const mongoUri of new Set(used)) await withDatabase(mongoUri, (db) => db.dropDatabase())
})

describe('key-derivation root', () => {
  it('is random on a new platform and keeps derived keys through a rotation, rewrapped under the new key', async () => {
    const mongoUri = freshDatabase()
    const before = await derivedBytes(mongoUri, firstKey)
    expect(before.equals(createHmac('sha256', firstKey).update('ledger.links').digest())).toBe(false)
    const wrappedBefore = await storedRoot(mongoUri)
    expect(wrappedBefore.split(':').slice(0, 2)).toEqual(['v2', keyIdOf(firstKey)])
    // The new key with the old one retired: the same derived key, the root now under the new key.
    expect((await derivedBytes(mongoUri, secondKey, [firstKey])).equals(before)).toBe(true)
    expect((await storedRoot(mongoUri)).split(':').slice(0, 2)).toEqual(['v2', keyIdOf(secondKey)])
    // Once rewrapped, the old key is no longer needed.
    expect((await derivedBytes(mongoUri, secondKey)).equals(before)).toBe(true)
    // A process that only knows a key the root is not under: refused, naming the key id it needs.
    await expect(derivedBytes(mongoUri, strangerKey)).rejects.toMatchObject({
      data: {
        code: 'CONFIG_INVALID',
        problems: [
          {
            variable: 'PLATFORM_RETIRED_ENCRYPTION_KEYS',
            message: expect.stringContaining(`key id ${keyIdOf(secondKey)}`)
          }
        ]
      }
    })
  })

  it('starts as the platform key on a platform that had tenants before, so derived values keep their values', async () => {
    const mongoUri = freshDatabase()
    await withDatabase(mongoUri, (db) =>
      db.collection('tenants').insertOne({ slug: 'old-tenant', name: 'Old' })
    )
    const derived = await derivedBytes(mongoUri, firstKey)
    expect(derived.equals(createHmac('sha256', firstKey).update('ledger.links').digest())).toBe(true)
  })

  it('refuses to rebuild a missing root on a platform with tenants unless told it predates the root', async () => {
    const mongoUri = freshDatabase()
    await withDatabase(mongoUri, (db) =>
      db.collection('tenants').insertOne({ slug: 'old-tenant', name: 'Old' })
    )
    // As in production (the default there): a root lost from a restored backup must not be rebuilt silently.
    await expect(
      derivedBytes(mongoUri, firstKey, [], { derivationRootFromKey: false })
    ).rejects.toMatchObject({
      data: { code: 'CONFIG_INVALID', problems: [{ variable: 'PLATFORM_DERIVATION_ROOT_FROM_KEY' }] }
    })
    expect(await withDatabase(mongoUri, (db) => db.collection('platform_secrets').countDocuments())).toBe(0)
  })

  it('is not moved back to the old key by a process of the old release restarting mid-rotation', async () => {
    const mongoUri = freshDatabase()
    const before = await derivedBytes(mongoUri, firstKey)
    // Phase 1: processes know the new key as a retired one; phase 2: the new key is current, the old retired.
    expect((await derivedBytes(mongoUri, firstKey, [secondKey])).equals(before)).toBe(true)
    expect((await derivedBytes(mongoUri, secondKey, [firstKey])).equals(before)).toBe(true)
    const moved = await storedRoot(mongoUri)
    expect(moved.split(':')[1]).toBe(keyIdOf(secondKey))
    // An old process restarts (still phase 1): it reads the root but leaves it under the new key.
    expect((await derivedBytes(mongoUri, firstKey, [secondKey])).equals(before)).toBe(true)
    expect(await storedRoot(mongoUri)).toBe(moved)
    // Phase 3: the old key dropped; the root is readable.
    expect((await derivedBytes(mongoUri, secondKey)).equals(before)).toBe(true)
  })

  it('refuses a damaged record', async () => {
    const mongoUri = freshDatabase()
    await derivedBytes(mongoUri, firstKey)
    await withDatabase(mongoUri, async (db) => {
      const stored = String(
        (await db.collection('platform_secrets').findOne({ _id: 'derivation-root' }))?.wrapped
      )
      const parts = stored.split(':')
      const body = Buffer.from(parts[4], 'base64url')
      body[0] ^= 1
      parts[4] = body.toString('base64url')
      await db
        .collection('platform_secrets')
        .updateOne({ _id: 'derivation-root' }, { $set: { wrapped: parts.join(':') } })
    })
    await expect(derivedBytes(mongoUri, firstKey)).rejects.toMatchObject({
      data: {
        code: 'CONFIG_INVALID',
        problems: [{ variable: 'platform_secrets (database)', message: expect.stringContaining('damaged') }]
      }
    })
  })

  it('is the same root for processes starting together on a new database', async () => {
    const mongoUri = freshDatabase()
    used.push(mongoUri)
    const connections = await Promise.all([connectDatabase(mongoUri), connectDatabase(mongoUri)])
    try {
      const box = createSecretBox(firstKey)
      const roots = await Promise.all(
        connections.map((connection) =>
          loadDerivationRoot(connection, { box, platformKey: firstKey, fromPlatformKey: false })
        )
      )
      expect(roots[0].equals(roots[1])).toBe(true)
      expect(await connections[0].db!.collection('platform_secrets').countDocuments()).toBe(1)
    } finally {
      await Promise.all(connections.map((connection) => connection.close()))
    }
  })
})
