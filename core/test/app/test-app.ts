// Test support: a validated test Config (own database, own queue prefix, ephemeral port) and a started app.
import { randomBytes } from 'node:crypto'
import { type CreateAppOptions, createApp } from '../../src/app/create-app.ts'
import type { Application } from '../../src/app/declarations.ts'
import { type RunningServer, startServer } from '../../src/app/server.ts'
import type { Config } from '../../src/config/config.ts'
import { loadConfig } from '../../src/config/load-config.ts'
import { testDatabaseUri } from '../support/database.ts'

export function testEnv(name: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    MONGODB_URI: testDatabaseUri(name),
    JWT_SECRET: randomBytes(32).toString('hex'),
    PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    RUN_WORKERS_IN_PROCESS: 'false',
    ...overrides
  }
}

export function testConfig(name: string, overrides: Record<string, string> = {}): Config {
  return loadConfig(testEnv(name, overrides))
}

export interface StartedTestApp {
  app: Application
  server: RunningServer
  url: string
}

export async function startTestApp(
  config: Config,
  options: Omit<CreateAppOptions, 'config'> = {},
  prepare?: (app: Application) => void
): Promise<StartedTestApp> {
  const app = await createApp({ config, ...options })
  prepare?.(app)
  const server = await startServer(app, config)
  return { app, server, url: server.url }
}
