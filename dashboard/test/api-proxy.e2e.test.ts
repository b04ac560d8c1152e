// The dashboard's same-origin `/api` proxy against the running platform: the pipeline board's "Export CSV"
// link downloads the tenant's leads with the staff session; without a session it is refused.
import { readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, onPage } from '../../core/test/client/support/browser.ts'
import { signInToDashboard } from '../../core/test/client/support/dashboard-session.ts'
import {
  login,
  type RunningApi,
  seedAgency,
  seedMasterclass,
  seedStaff,
  seedTenant,
  startPlatformApi
} from '../../core/test/client/support/platform-api.ts'
import { ensureBuilt, type RunningWebApp, startWebApp } from '../../core/test/client/support/web-apps.ts'
import masterclasses from '../../plugins/masterclasses/plugin.ts'
import pipeline from '../../plugins/pipeline/plugin.ts'

let api: RunningApi
let dashboard: RunningWebApp
let browser: Browser
const HOST = { email: 'host@echo.test', password: 'host-password-1' }
const tenantIds: Record<string, string> = {}

async function register(tenantId: string, masterclassId: string, name: string, email: string) {
  const response = await fetch(`${api.url}/pipeline/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': tenantId },
    body: JSON.stringify({ name, email, masterclassId, consent: true })
  })
  expect(response.status, await response.clone().text()).toBe(201)
}

const signIn = (page: Page) => signInToDashboard(page, dashboard.url, HOST)

beforeAll(async () => {
  await ensureBuilt('dashboard')
  api = await startPlatformApi('dash-proxy-e2e', { plugins: [masterclasses, pipeline] })
  const agency = await seedAgency(api.app, 'echo-agency')
  for (const slug of ['echo-yoga', 'foxtrot-fit']) {
    tenantIds[slug] = (
      await seedTenant(api.app, agency._id, {
        slug,
        name: slug,
        primary: '#0b5394',
        headline: slug,
        plugins: ['masterclasses', 'pipeline']
      })
    )._id
  }
  const host = await seedStaff(api.app, {
    ...HOST,
    role: 'host',
    agencyId: agency._id,
    tenantIds: [tenantIds['echo-yoga']]
  })
  const token = await login(api, HOST.email, HOST.password)
  const echoClass = await seedMasterclass(api, tenantIds['echo-yoga'], token, 'Sunrise flow', host._id)
  await register(tenantIds['echo-yoga'], echoClass._id, 'Ana Lead', 'ana@lead.test')
  await register(tenantIds['echo-yoga'], echoClass._id, 'Ben Lead', 'ben@lead.test')
  // Another tenant's lead, which the host's export must never contain.
  const admin = await seedStaff(api.app, {
    email: 'admin@echo.test',
    password: 'admin-password-1',
    role: 'agency_admin',
    agencyId: agency._id
  })
  const adminToken = await login(api, 'admin@echo.test', 'admin-password-1')
  const foxClass = await seedMasterclass(api, tenantIds['foxtrot-fit'], adminToken, 'Fox run', admin._id)
  await register(tenantIds['foxtrot-fit'], foxClass._id, 'Cy Other', 'cy@other.test')
  dashboard = await startWebApp('dashboard', { API_URL: api.url, PUBLIC_API_URL: api.url })
  browser = await launchBrowser()
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await dashboard?.close()
  await api?.close()
})

describe('dashboard /api proxy', () => {
  it('downloads the pipeline CSV export through the board’s link', async () => {
    await onPage(
      browser,
      'dashboard-csv-export',
      async (page) => {
        await signIn(page)
        await page.goto(`${dashboard.url}/p/pipeline`, { waitUntil: 'networkidle' })
        const download = page.waitForEvent('download')
        await page.getByRole('link', { name: 'Export CSV' }).click()
        const file = await (await download).path()
        const csv = await readFile(file, 'utf8')
        const lines = csv.trim().split(/\r?\n/)
        expect(lines[0]).toMatch(/^id,created_at,status,name,email/)
        expect(csv).toContain('ana@lead.test')
        expect(csv).toContain('ben@lead.test')
        expect(csv).not.toContain('cy@other.test')
        expect(lines).toHaveLength(3)
      },
      { acceptDownloads: true }
    )
  })

  it('passes the download headers through and keeps the response out of caches', async () => {
    await onPage(browser, 'dashboard-proxy-headers', async (page) => {
      await signIn(page)
      const response = await page.request.get(`${dashboard.url}/api/pipeline/export`)
      expect(response.status()).toBe(200)
      expect(response.headers()['content-type']).toContain('text/csv')
      expect(response.headers()['content-disposition']).toContain('attachment')
      expect(response.headers()['cache-control']).toBe('private, no-store')
      expect(response.headers()['set-cookie']).toBeUndefined()
      expect(response.headers()['x-content-type-options']).toBe('nosniff')
      expect(response.headers()['content-security-policy']).toBe('sandbox')
      expect(response.headers()['content-encoding']).toBeUndefined()
    })
  })

  it('refuses requests without a staff session, other methods and odd paths', async () => {
    const anonymous = await fetch(`${dashboard.url}/api/pipeline/export`)
    expect(anonymous.status).toBe(401)
    const body = await anonymous.text()
    expect(body).toContain('NOT_AUTHENTICATED')
    expect(body).not.toContain('@lead.test')
    const forged = await fetch(`${dashboard.url}/api/pipeline/export`, {
      headers: { cookie: 'ms_staff_session=not-a-token' }
    })
    expect(forged.status).toBe(401)
    const post = await fetch(`${dashboard.url}/api/pipeline/registrations`, { method: 'POST' })
    expect([403, 405]).toContain(post.status)
    await onPage(browser, 'dashboard-proxy-paths', async (page) => {
      await signIn(page)
      const traversal = await page.request.get(`${dashboard.url}/api/pipeline/..%2F..%2Fusers`)
      expect(traversal.status()).toBe(404)
      // Only download endpoints: an API page (the sandbox checkout) never renders on the dashboard origin.
      const checkout = await page.request.get(`${dashboard.url}/api/payments-sandbox/checkout/abc123`)
      expect(checkout.status()).toBe(404)
      const json = await page.request.get(`${dashboard.url}/api/pipeline/leads`)
      expect(json.status()).toBe(404)
    })
  })
})
