// Browser test: a rep drags a lead card on the pipeline board (built dashboard, real API with the pipeline
// plugin on the harness database, Debian Chromium). The move goes over the live socket through the
// plugin's custom `move` method, which the dashboard's clients know from the generated registry.
import { seedAgency, seedStaff, seedTenant } from '@masterstage/core/testing'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, onPage } from '../../core/test/client/support/browser.ts'
import { signInToDashboard } from '../../core/test/client/support/dashboard-session.ts'
import { type RunningApi, startPlatformApi } from '../../core/test/client/support/platform-api.ts'
import { ensureBuilt, type RunningWebApp, startWebApp } from '../../core/test/client/support/web-apps.ts'
import masterclassesPlugin from '../../plugins/masterclasses/plugin.ts'
import pipelinePlugin from '../../plugins/pipeline/plugin.ts'
import { seedCatalogue } from '../../plugins/pipeline/test/support/catalogue.ts'

const REP = { email: 'rep@drag.test', password: 'sales-rep-pass-1' }
let api: RunningApi
let dashboard: RunningWebApp
let browser: Browser
let masterclassId = ''

beforeAll(async () => {
  await ensureBuilt('dashboard')
  api = await startPlatformApi('dashboard-board-drag', { plugins: [masterclassesPlugin, pipelinePlugin] })
  const agency = await seedAgency(api.app, 'dragwind', 'Dragwind')
  const tenant = await seedTenant(api.app, {
    slug: 'drag-studio',
    name: 'Drag Studio',
    agencyId: agency._id,
    plugins: ['masterclasses', 'pipeline']
  })
  masterclassId = (await seedCatalogue(api.app, tenant._id, ['one'])).one
  await seedStaff(api.app, { ...REP, role: 'sales_rep', agencyId: agency._id, tenantIds: [tenant._id] })
  dashboard = await startWebApp('dashboard', { API_URL: api.url, PUBLIC_API_URL: api.url })
  browser = await launchBrowser()
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await dashboard?.close()
  await api?.close()
})

describe('pipeline board drag and drop', () => {
  it('moves a dragged card to the next allowed column, and it stays there after a reload', async () => {
    const registered = await fetch(`${api.url}/pipeline/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant': 'drag-studio' },
      body: JSON.stringify({
        name: 'Dragged Lead',
        email: 'dragged@example.com',
        masterclassId,
        consent: true
      })
    })
    expect(registered.status).toBe(201)
    await onPage(
      browser,
      'dashboard-board-drag',
      async (page) => {
        await signInToDashboard(page, dashboard.url, REP)
        await page.goto(`${dashboard.url}/p/pipeline`, { waitUntil: 'networkidle' })
        await expect
          .poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 })
          .toBe('Live')
        const card = page.locator('[data-status="NEW"] [data-testid="lead-card"]')
        expect(await card.allTextContents()).toEqual([expect.stringContaining('dragged@example.com')])
        // From NEW a rep may only mark a lead LOST (the transition table's manual moves).
        await card.dragTo(page.locator('[data-status="LOST"]'))
        await expect
          .poll(() => page.locator('[data-status="LOST"] [data-testid="lead-card"]').count(), {
            timeout: 10_000
          })
          .toBe(1)
        expect(await page.locator('.pipeline [role="alert"]').count()).toBe(0)
        await page.reload({ waitUntil: 'networkidle' })
        expect(
          await page.locator('[data-status="LOST"] [data-testid="lead-card"]').allTextContents()
        ).toEqual([expect.stringContaining('dragged@example.com')])
        expect(await page.locator('[data-status="NEW"] [data-testid="lead-card"]').count()).toBe(0)
      },
      // Wide enough for all seven columns, so the drop lands inside the window.
      { viewport: { width: 1700, height: 1000 } }
    )
  }, 120_000)
})
