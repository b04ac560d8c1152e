// The dashboard's same-origin `/api` proxy against the running platform: the pipeline board's "Export CSV"
// link downloads the tenant's leads with the staff session; without a session it is refused.
import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { onPage } from '../../core/test/client/support/browser.ts'
import { signInToDashboard } from '../../core/test/client/support/dashboard-session.ts'
import {
  login,
  seedAgency,
  seedMasterclass,
  seedStaff,
  seedTenant
} from '../../core/test/client/support/platform-api.ts'
import { HOST_PASSWORD, seedHostedTenant, useWebStack } from '../../core/test/support/web-stack.ts'
import masterclasses from '../../plugins/masterclasses/plugin.ts'
import pipeline from '../../plugins/pipeline/plugin.ts'
import { registerLead } from '../../plugins/pipeline/test/support/board-page.ts'

const HOST = { email: 'host@echo.test', password: HOST_PASSWORD }

const web = useWebStack('dash-proxy-e2e', {
  api: { plugins: [masterclasses, pipeline] },
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'echo-agency')
    const plugins = ['masterclasses', 'pipeline']
    const echo = await seedHostedTenant(api, agency._id, {
      slug: 'echo-yoga',
      plugins,
      host: HOST.email,
      masterclass: 'Sunrise flow'
    })
    const { masterclassId } = echo
    await registerLead(api.url, echo.tenantId, { name: 'Ana Lead', email: 'ana@lead.test', masterclassId })
    await registerLead(api.url, echo.tenantId, { name: 'Ben Lead', email: 'ben@lead.test', masterclassId })
    // Another tenant's lead, which the host's export must never contain.
    const fox = { slug: 'foxtrot-fit', name: 'foxtrot-fit', primary: '#0b5394', headline: 'foxtrot-fit' }
    const foxId = (await seedTenant(api.app, agency._id, { ...fox, plugins }))._id
    const admin = await seedStaff(api.app, {
      email: 'admin@echo.test',
      password: 'admin-password-1',
      role: 'agency_admin',
      agencyId: agency._id
    })
    const adminToken = await login(api, 'admin@echo.test', 'admin-password-1')
    const foxClass = await seedMasterclass(api, foxId, adminToken, 'Fox run', admin._id)
    const cy = { name: 'Cy Other', email: 'cy@other.test', masterclassId: foxClass._id }
    await registerLead(api.url, foxId, cy)
  },
  dashboard: {}
})

const signIn = (page: Page) => signInToDashboard(page, web.dashboard.url, HOST)

describe('dashboard /api proxy', () => {
  it('downloads the pipeline CSV export through the board’s link', async () => {
    await onPage(
      web.browser,
      'dashboard-csv-export',
      async (page) => {
        await signIn(page)
        await page.goto(`${web.dashboard.url}/p/pipeline`, { waitUntil: 'networkidle' })
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
    await onPage(web.browser, 'dashboard-proxy-headers', async (page) => {
      await signIn(page)
      const response = await page.request.get(`${web.dashboard.url}/api/pipeline/export`)
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
    const anonymous = await fetch(`${web.dashboard.url}/api/pipeline/export`)
    expect(anonymous.status).toBe(401)
    const body = await anonymous.text()
    expect(body).toContain('NOT_AUTHENTICATED')
    expect(body).not.toContain('@lead.test')
    const forged = await fetch(`${web.dashboard.url}/api/pipeline/export`, {
      headers: { cookie: 'ms_staff_session=not-a-token' }
    })
    expect(forged.status).toBe(401)
    const post = await fetch(`${web.dashboard.url}/api/pipeline/registrations`, { method: 'POST' })
    expect([403, 405]).toContain(post.status)
    await onPage(web.browser, 'dashboard-proxy-paths', async (page) => {
      await signIn(page)
      const traversal = await page.request.get(`${web.dashboard.url}/api/pipeline/..%2F..%2Fusers`)
      expect(traversal.status()).toBe(404)
      // Only download endpoints: an API page (the sandbox checkout) never renders on the dashboard origin.
      const checkout = await page.request.get(`${web.dashboard.url}/api/payments-sandbox/checkout/abc123`)
      expect(checkout.status()).toBe(404)
      const json = await page.request.get(`${web.dashboard.url}/api/pipeline/leads`)
      expect(json.status()).toBe(404)
    })
  })
})
