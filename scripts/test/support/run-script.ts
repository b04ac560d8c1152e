// Test helper: runs a CLI script of scripts/src as a child process against a fresh harness database.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { databaseEngine, testDatabaseUri } from '../../../core/test/support/database.ts'
import { testEncryptionKey } from '../../../core/test/support/test-config.ts'

export const SCRIPTS_DIR = resolve(import.meta.dirname, '..', '..', 'src')

export interface ScriptResult {
  code: number
  stdout: string
  stderr: string
}

/** A database URI for this test file; the embedded engine is polled (its streaming hello is unreliable). */
export function scriptDatabaseUri(name: string): string {
  const uri = testDatabaseUri(name)
  return databaseEngine() === 'embedded'
    ? `${uri}${uri.includes('?') ? '&' : '?'}serverMonitoringMode=poll`
    : uri
}

/** The environment of a platform process in tests: own database, own queue prefix, the installed plugins. */
export function scriptEnvironment(mongoUri: string): NodeJS.ProcessEnv {
  const scratch = mkdtempSync(join(tmpdir(), 'scripts-test-'))
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: mongoUri,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    // The key of the test deployment on this database: a script and the test's apps are one platform.
    PLATFORM_ENCRYPTION_KEY: testEncryptionKey(mongoUri).toString('base64'),
    EMAIL_OUTBOX_DIR: join(scratch, 'outbox'),
    // The demo packs enable the real plugins, so the scripts load the installed ones (plugins/).
    MASTERSTAGE_DATA_DIR: join(scratch, 'data')
  }
}

export function runScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv
): Promise<ScriptResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(SCRIPTS_DIR, script), ...args],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        done({ code, stdout, stderr })
      }
    )
  })
}
