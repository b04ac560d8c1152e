// Browser test: two reps watch the pipeline board in two browsers (built dashboard, real API on the harness
// database, Debian Chromium); a storefront registration appears on both boards live, and a move made
// elsewhere moves the card on both.
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../../../core/src/app/create-app.ts'
import type { Application } from '../../../../core/src/app/declarations.ts'
import { loadConfig } from '../../../../core/src/config/load-config.ts'
import { configureWebApi } from '../../../../core/src/web-api/configure-web-api.ts'
import { launchBrowser } from '../../../../core/test/client/support/browser.ts'
import {
  ensureBuilt,
  type RunningWebApp,
  startWebApp
} from '../../../../core/test/client/support/web-apps.ts'
import { testDatabaseUri } from '../../../../core/test/support/database.ts'
import pipelinePlugin from '../../plugin.ts'
import { call } from '../support/pipeline-test-app.ts'

const REP = { email: 'sam@agency.test', password: 'sales-rep-pass-1' }
const HOST = { email: 'ava@agency.test', password: 'host-password-1' }
let app: Application
let apiUrl = ''
let dashboard: RunningWebApp
let browser: Browser

async function signIn(page: Page, user: { email: string; password: string }) {
  await page.goto(`${dashboard.url}/signin`, { waitUntil: 'networkidle' })
  await page.getByLabel('Email').fill(user.email)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${dashboard.url}/`)
}

beforeAll(async () => {
  await ensureBuilt('dashboard')
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MONGODB_URI: testDatabaseUri('pipeline-board-e2e'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `e2e${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    RUN_WORKERS_IN_PROCESS: 'true',
    EMAIL_OUTBOX_DIR: `/tmp/ms-e2e-outbox-${process.pid}`
  })
  app = await createApp({ config, plugins: [pipelinePlugin] })
  configureWebApi(app)
  const server = await app.listen(0, '127.0.0.1')
  if (!server.listening) await new Promise((done) => server.once('listening', done))
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const service = (path: string) => (app as any).service(path)
  const agency = await service('agencies').create({ slug: 'northwind', name: 'Northwind' })
  const tenant = await service('tenants').create({
    slug: 'ava-studio',
    name: 'Ava Studio',
    agencyId: agency._id
  })
  await service('tenants').enablePlugin({ tenantId: tenant._id, plugin: 'pipeline' })
  for (const [user, role] of [
    [REP, 'sales_rep'],
    [HOST, 'host']
  ] as const) {
    await service('users').createStaff({
      name: user.email.split('@')[0],
      ...user,
      role,
      agencyId: agency._id,
      tenantIds: [String(tenant._id)]
    })
  }
  dashboard = await startWebApp('dashboard', { API_URL: apiUrl, PUBLIC_API_URL: apiUrl })
  browser = await launchBrowser()
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await dashboard?.close()
  await app?.teardown().catch(() => undefined)
})

describe('pipeline board in the browser', () => {
  it('a registration and a move show up live on two reps’ boards', async () => {
    const contexts = await Promise.all([browser.newContext(), browser.newContext()])
    try {
      for (const context of contexts) context.setDefaultTimeout(10_000)
      const pages = await Promise.all(contexts.map((context) => context.newPage()))
      await signIn(pages[0], REP)
      await signIn(pages[1], HOST)
      for (const page of pages) {
        await page.goto(`${dashboard.url}/p/pipeline`)
        await page.getByTestId('pipeline-board').waitFor()
        await page.waitForLoadState('networkidle')
      }
      const registered = await call(
        apiUrl,
        'POST',
        '/pipeline/registrations',
        { name: 'Live Person', email: 'live.person@example.com', masterclassId: 'mc-1', consent: true },
        { tenant: 'ava-studio' }
      )
      expect(registered.status).toBe(201)
      for (const page of pages) {
        await expect
          .poll(() => page.locator('[data-status="NEW"] [data-testid="lead-card"]').allTextContents(), {
            timeout: 15_000
          })
          .toEqual([expect.stringContaining('live.person@example.com')])
      }
      const login = await call(apiUrl, 'POST', '/authentication', { strategy: 'local', ...REP })
      const [lead] = (
        await call(apiUrl, 'GET', '/pipeline/leads', undefined, {
          tenant: 'ava-studio',
          token: login.body.accessToken
        })
      ).body.data
      const moved = await call(
        apiUrl,
        'POST',
        '/pipeline/leads',
        { leadId: lead._id, to: 'LOST' },
        {
          tenant: 'ava-studio',
          token: login.body.accessToken,
          serviceMethod: 'move'
        }
      )
      expect(moved.status).toBe(200)
      for (const page of pages) {
        await expect
          .poll(() => page.locator('[data-status="LOST"] [data-testid="lead-card"]').count(), {
            timeout: 15_000
          })
          .toBe(1)
        expect(await page.locator('[data-status="NEW"] [data-testid="lead-card"]').count()).toBe(0)
      }
    } catch (error) {
      for (const [index, context] of contexts.entries()) {
        await context
          .pages()[0]
          ?.screenshot({ path: `test-artifacts/screenshots/pipeline-board-${index}.png`, fullPage: true })
          .catch(() => undefined)
      }
      throw error
    } finally {
      await Promise.all(contexts.map((context) => context.close()))
    }
  }, 120_000)
})
