// Environments `npm start` and the CLI scripts hand to platform processes: user values win, the running
// platform is found through its runtime file, a dead platform's stale file is ignored.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureDevSecrets } from '../../src/lib/dev-secrets.ts'
import { redactUri, withDatabaseName } from '../../src/lib/mongo-uri.ts'
import { platformEnv } from '../../src/lib/platform-env.ts'
import { readRuntime, writeRuntime } from '../../src/lib/runtime-file.ts'
import { NoDatabaseError, scriptEnv } from '../../src/lib/script-env.ts'

const scratch = () => mkdtempSync(join(tmpdir(), 'env-test-'))

describe('platformEnv', () => {
  it('fills in the harness database, Redis and the secrets file, keeping the user own settings', () => {
    const dataDir = scratch()
    const env = platformEnv({
      base: { LOG_LEVEL: 'debug', MONGODB_URI: 'mongodb://ignored/db' },
      mongoUri: 'mongodb://127.0.0.1:1234/masterstage',
      redisUrl: 'redis://127.0.0.1:6379',
      dataDir,
      port: 4000
    })
    expect(env).toMatchObject({
      LOG_LEVEL: 'debug',
      MONGODB_URI: 'mongodb://127.0.0.1:1234/masterstage',
      PORT: '4000',
      RUN_WORKERS_IN_PROCESS: 'false',
      DEV_SECRETS_FILE: join(dataDir, 'dev-secrets.json')
    })
    expect(env.JWT_SECRET).toBeUndefined()
  })

  it('gives API and worker one fresh payments-sandbox signing secret per run, unless the user set one', () => {
    const input = { mongoUri: 'mongodb://x/db', redisUrl: 'redis://x', dataDir: scratch(), port: 4000 }
    const first = platformEnv({ ...input, base: {} }).PAYMENTS_SANDBOX_WEBHOOK_SECRET
    const second = platformEnv({ ...input, base: {} }).PAYMENTS_SANDBOX_WEBHOOK_SECRET
    expect(first).toMatch(/^whsec_sandbox_[0-9a-f]{48}$/)
    expect(second).not.toBe(first)
    const chosen = platformEnv({ ...input, base: { PAYMENTS_SANDBOX_WEBHOOK_SECRET: 'whsec_mine' } })
    expect(chosen.PAYMENTS_SANDBOX_WEBHOOK_SECRET).toBe('whsec_mine')
  })
})

describe('dev secrets', () => {
  it('are created once with private permissions and then reused', () => {
    const dataDir = scratch()
    const first = ensureDevSecrets(dataDir)
    const second = ensureDevSecrets(dataDir)
    expect(first.created).toBe(true)
    expect(second.created).toBe(false)
    expect(second.secrets).toEqual(first.secrets)
    expect(Buffer.from(first.secrets.encryptionKey, 'base64')).toHaveLength(32)
    expect(first.secrets.jwtSecret.length).toBeGreaterThanOrEqual(32)
  })
})

describe('scriptEnv', () => {
  it('uses the running platform from the runtime file, and ignores a stale one', () => {
    const dataDir = scratch()
    expect(() => scriptEnv({}, dataDir)).toThrow(NoDatabaseError)
    writeRuntime(dataDir, {
      pid: process.pid,
      mongoUri: 'mongodb://h:1/ms',
      redisUrl: 'redis://h:2',
      apiUrl: 'x'
    })
    expect(scriptEnv({}, dataDir)).toMatchObject({
      MONGODB_URI: 'mongodb://h:1/ms',
      REDIS_URL: 'redis://h:2'
    })
    expect(scriptEnv({ MONGODB_URI: 'mongodb://mine/db' }, dataDir).MONGODB_URI).toBe('mongodb://mine/db')
    // A pid that cannot exist: the platform that wrote the file is gone.
    writeFileSync(
      join(dataDir, 'runtime.json'),
      JSON.stringify({ pid: 2 ** 22 + 7, mongoUri: 'mongodb://old/db' })
    )
    expect(readRuntime(dataDir)).toBeUndefined()
    expect(() => scriptEnv({}, dataDir)).toThrow(/npm start/)
  })
})

describe('mongo URIs', () => {
  it('set the database name keeping options, and hide credentials', () => {
    expect(withDatabaseName('mongodb://127.0.0.1:5000/', 'masterstage')).toBe(
      'mongodb://127.0.0.1:5000/masterstage'
    )
    expect(withDatabaseName('mongodb://a:1,b:2/old?replicaSet=rs0', 'ms')).toBe(
      'mongodb://a:1,b:2/ms?replicaSet=rs0'
    )
    expect(redactUri('mongodb://user:secret@host/db')).toBe('mongodb://***@host/db')
  })
})
