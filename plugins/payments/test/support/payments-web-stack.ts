// Browser-test stack of the payments flows: the built web apps first, on the API port reserved for them (the
// API's links name the web apps, the web apps call the API), then the production createApp with the payments
// plugin (provider from the platform config), the outbox email provider and the web API, and Chromium.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { createApp } from '../../../../core/src/app/create-app.ts'
import type { Application } from '../../../../core/src/app/declarations.ts'
import { loadConfig } from '../../../../core/src/config/load-config.ts'
import { configureWebApi } from '../../../../core/src/web-api/configure-web-api.ts'
import { launchBrowser } from '../../../../core/test/client/support/browser.ts'
import {
  ensureBuilt,
  freePort,
  type RunningWebApp,
  startWebApp
} from '../../../../core/test/client/support/web-apps.ts'
import { testDatabaseUri } from '../../../../core/test/support/database.ts'
import masterclassesPlugin from '../../../masterclasses/plugin.ts'
import pipelinePlugin from '../../../pipeline/plugin.ts'
import { createPaymentsPlugin } from '../../plugin.ts'
import type { PaymentsRuntime } from '../../runtime.ts'

/** Filled before the file's first test: read its fields inside hooks and tests only. */
export interface PaymentsWebStack {
  app: Application
  runtime: PaymentsRuntime
  apiUrl: string
  /** Only when the stack was asked to run the storefront. */
  storefront: RunningWebApp
  dashboard: RunningWebApp
  browser: Browser
  /** Where the outbox email provider writes (removed after the file's tests). */
  outboxDir: string
}

export interface PaymentsWebStackOptions {
  /** Also runs the built storefront (tenant hosts on `localhost`), which the API's links then name. */
  storefront?: boolean
  /** Seeds through the app's services once it listens, before the browser starts. */
  seed(stack: PaymentsWebStack): Promise<void>
}

/** Registers the file's beforeAll/afterAll that start and stop the stack; `name` names its database. */
export function usePaymentsWebStack(name: string, options: PaymentsWebStackOptions): PaymentsWebStack {
  const stack = { outboxDir: mkdtempSync(join(tmpdir(), `ms-${name}-outbox-`)) } as PaymentsWebStack

  beforeAll(async () => {
    if (options.storefront) await ensureBuilt('storefront')
    await ensureBuilt('dashboard')
    // The web apps need the API's URL and the API's links need theirs: reserve the API port first.
    const apiPort = await freePort()
    stack.apiUrl = `http://127.0.0.1:${apiPort}`
    if (options.storefront)
      stack.storefront = await startWebApp('storefront', {
        API_URL: stack.apiUrl,
        BASE_DOMAIN: 'localhost',
        SITE_CACHE_MS: '0'
      })
    stack.dashboard = await startWebApp('dashboard', { API_URL: stack.apiUrl, PUBLIC_API_URL: stack.apiUrl })
    const config = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      PUBLIC_API_URL: stack.apiUrl,
      // Without a storefront, an address nothing listens on.
      STOREFRONT_URL: stack.storefront?.url ?? 'http://localhost:9',
      DASHBOARD_URL: stack.dashboard.url,
      MONGODB_URI: testDatabaseUri(name),
      JWT_SECRET: randomBytes(32).toString('hex'),
      PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      QUEUE_PREFIX: `pay${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: process.env.E2E_API_LOG_LEVEL ?? 'silent',
      RUN_WORKERS_IN_PROCESS: 'true',
      EMAIL_PROVIDER: 'outbox',
      EMAIL_OUTBOX_DIR: stack.outboxDir
    })
    // No platform override: the host reads the payments platform config, which is the sandbox without keys.
    const payments = createPaymentsPlugin({ onRuntime: (built) => (stack.runtime = built) })
    stack.app = await createApp({ config, plugins: [masterclassesPlugin, pipelinePlugin, payments] })
    configureWebApi(stack.app)
    const server = await stack.app.listen(apiPort, '127.0.0.1')
    if (!server.listening) await new Promise((done) => server.once('listening', done))
    await options.seed(stack)
    stack.browser = await launchBrowser()
  }, 900_000)

  afterAll(async () => {
    await stack.browser?.close()
    await stack.storefront?.close()
    await stack.dashboard?.close()
    await stack.app?.teardown().catch(() => undefined)
    rmSync(stack.outboxDir, { recursive: true, force: true })
  })

  return stack
}
