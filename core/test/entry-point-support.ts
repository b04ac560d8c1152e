// Helpers for the entry-point process tests (main, worker): a free port and a complete test environment.
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseEngine, testDatabaseUri } from './support/database.ts'

export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
  })
}

/** Own database, queue prefix, secrets and outbox; no installed plugins (they are not under test here). */
export function processEnv(name: string): NodeJS.ProcessEnv {
  const uri = testDatabaseUri(name)
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    // The embedded engine's streaming hello is unreliable: poll.
    MONGODB_URI:
      databaseEngine() === 'embedded'
        ? `${uri}${uri.includes('?') ? '&' : '?'}serverMonitoringMode=poll`
        : uri,
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    EMAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'outbox-')),
    PLUGINS_DIR: mkdtempSync(join(tmpdir(), 'no-plugins-'))
  }
}
