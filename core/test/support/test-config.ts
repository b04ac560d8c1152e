// One platform Config for tests and benchmarks: own database and queue prefix, fresh secrets, silent logs.
// Callers override only what their setup needs (workers in process, body limit, outbox folder, port).
import { createHmac, randomBytes } from 'node:crypto'
import type { Config } from '../../src/config/config.ts'
import { loadConfig } from '../../src/config/load-config.ts'
import { testDatabaseUri } from './database.ts'

// Apps of one test on one database act as processes of one deployment, which share the encryption key (the
// stored key-derivation root is wrapped under it): the key follows from the database, fresh per test run.
const runSalt = randomBytes(32)
/** The encryption key of a test deployment on `mongoUri` (apps and CLI scripts of one test share it). */
export const testEncryptionKey = (mongoUri: string) => createHmac('sha256', runSalt).update(mongoUri).digest()

export function platformTestConfig(name: string, overrides: Partial<Config> = {}): Config {
  const mongoUri = overrides.mongoUri ?? testDatabaseUri(name)
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    baseDomain: 'localhost',
    publicApiUrl: 'http://localhost',
    storefrontUrl: 'http://storefront.test',
    dashboardUrl: 'http://dashboard.test',
    mongoUri,
    redisUrl: 'redis://127.0.0.1:6379',
    queuePrefix: testQueuePrefix(name),
    jwtSecret: randomBytes(32).toString('hex'),
    jwtExpiresIn: '1h',
    encryptionKey: testEncryptionKey(mongoUri),
    logLevel: (process.env.TEST_LOG_LEVEL as Config['logLevel'] | undefined) ?? 'silent',
    runWorkersInProcess: false,
    bodyLimitBytes: 1024 * 1024,
    corsOrigins: [],
    email: { provider: 'outbox', from: 'no-reply@masterstage.test', outboxDir: '/tmp' },
    trustProxy: false,
    ...overrides
  }
}

// QUEUE_PREFIX allows 1-32 of [A-Za-z0-9_-]: long or dotted test names are cut to fit; the random tail keeps it unique.
function testQueuePrefix(name: string): string {
  return `test-${name.replace(/[^a-z0-9_-]/gi, '').slice(0, 18)}-${randomBytes(4).toString('hex')}`
}

/**
 * The same test platform, but read from environment variables through the production loader (loadConfig), so
 * `env` can set anything an operator can (TRUST_PROXY, EMAIL_OUTBOX_DIR, ...) and unset values get the
 * production defaults (CORS origins, web app URLs).
 */
export function platformTestConfigFromEnv(name: string, env: Record<string, string> = {}): Config {
  return loadConfig({ ...platformTestEnv(name), ...env })
}

/** The environment platformTestConfigFromEnv loads, e.g. to hand the same settings to a worker process. */
export function platformTestEnv(name: string): Record<string, string> {
  const base = platformTestConfig(name)
  return {
    NODE_ENV: 'test',
    PORT: '0',
    MONGODB_URI: base.mongoUri,
    JWT_SECRET: base.jwtSecret,
    PLATFORM_ENCRYPTION_KEY: base.encryptionKey.toString('hex'),
    QUEUE_PREFIX: base.queuePrefix,
    LOG_LEVEL: base.logLevel,
    RUN_WORKERS_IN_PROCESS: 'false'
  }
}
