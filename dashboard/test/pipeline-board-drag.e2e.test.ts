// Browser test: a rep drags a lead card on the pipeline board (built dashboard, real API with the pipeline
// plugin on the harness database, Debian Chromium). The move goes over the live socket through the
// plugin's custom `move` method, which the dashboard's clients know from the generated registry. A second rep
// in another browser sees a dragged card move without reloading; a move the transition table refuses snaps
// back with the reason in the dragging rep's browser and changes nothing for the other rep.
import { seedAgency, seedStaff, seedTenant } from '@masterstage/core/testing'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, onPage } from '../../core/test/client/support/browser.ts'
import { signInToDashboard } from '../../core/test/client/support/dashboard-session.ts'
import { type RunningApi, startPlatformApi } from '../../core/test/client/support/platform-api.ts'
import { ensureBuilt, type RunningWebApp, startWebApp } from '../../core/test/client/support/web-apps.ts'
import masterclassesPlugin from '../../plugins/masterclasses/plugin.ts'
import pipelinePlugin from '../../plugins/pipeline/plugin.ts'
import { seedCatalogue } from '../../plugins/pipeline/test/support/catalogue.ts'

const REP = { email: 'rep@drag.test', password: 'sales-rep-pass-1' }
const OTHER_REP = { email: 'other-rep@drag.test', password: 'sales-rep-pass-2' }
/** Wide enough for all seven columns, so drops land inside the window. */
const WIDE = { viewport: { width: 1700, height: 1000 } }
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
  for (const rep of [REP, OTHER_REP])
    await seedStaff(api.app, { ...rep, role: 'sales_rep', agencyId: agency._id, tenantIds: [tenant._id] })
  dashboard = await startWebApp('dashboard', { API_URL: api.url, PUBLIC_API_URL: api.url })
  browser = await launchBrowser()
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await dashboard?.close()
  await api?.close()
})

async function register(name: string, email: string): Promise<void> {
  const registered = await fetch(`${api.url}/pipeline/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': 'drag-studio' },
    body: JSON.stringify({ name, email, masterclassId, consent: true })
  })
  expect(registered.status).toBe(201)
}

/** Opens the board once, live, and marks the document: the mark is gone if the page ever reloads. */
async function openLiveBoard(page: Page, rep: typeof REP): Promise<void> {
  await signInToDashboard(page, dashboard.url, rep)
  await page.goto(`${dashboard.url}/p/pipeline`, { waitUntil: 'networkidle' })
  await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live')
  await page.evaluate(() => ((window as any).__boardNotReloaded = true))
}

const notReloaded = (page: Page) => page.evaluate(() => (window as any).__boardNotReloaded === true)
const cardEmails = (page: Page, status: string) =>
  page.locator(`[data-status="${status}"] [data-testid="lead-card"] .email`).allTextContents()

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

  it('a drag in one browser moves the card live in another; a refused drag snaps back with the reason', async () => {
    await register('Live Drag', 'live.drag@example.com')
    await register('Refused Drag', 'refused.drag@example.com')
    await onPage(
      browser,
      'dashboard-board-drag-a',
      async (a) => {
        await onPage(
          browser,
          'dashboard-board-drag-b',
          async (b) => {
            await openLiveBoard(a, REP)
            await openLiveBoard(b, OTHER_REP)
            for (const page of [a, b]) {
              expect(await cardEmails(page, 'NEW')).toEqual(
                expect.arrayContaining(['live.drag@example.com', 'refused.drag@example.com'])
              )
            }

            // Allowed (NEW → LOST): B sees the card leave NEW and land in LOST, without reloading.
            await a
              .locator('[data-testid="lead-card"]', { hasText: 'live.drag@example.com' })
              .dragTo(a.locator('[data-status="LOST"]'))
            for (const page of [a, b]) {
              await expect
                .poll(() => cardEmails(page, 'LOST'), { timeout: 10_000 })
                .toContain('live.drag@example.com')
              expect(await cardEmails(page, 'NEW')).not.toContain('live.drag@example.com')
            }
            expect(await notReloaded(b)).toBe(true)
            expect(await a.locator('.pipeline [role="alert"]').count()).toBe(0)

            // Refused (NEW → PAID needs a payment event): the reason shows in A, the card is back in NEW.
            await a
              .locator('[data-testid="lead-card"]', { hasText: 'refused.drag@example.com' })
              .dragTo(a.locator('[data-status="PAID"]'))
            await expect
              .poll(() => a.locator('.pipeline [role="alert"]').textContent(), { timeout: 10_000 })
              .toMatch(/NEW can be moved by hand to LOST only/)
            await expect.poll(() => cardEmails(a, 'NEW')).toContain('refused.drag@example.com')
            expect(await cardEmails(a, 'PAID')).toEqual([])
            // B: no move reached it (give a stray event time to arrive), no message, the lead still NEW.
            await new Promise((resolve) => setTimeout(resolve, 1_000))
            expect(await cardEmails(b, 'NEW')).toContain('refused.drag@example.com')
            expect(await cardEmails(b, 'PAID')).toEqual([])
            expect(await b.locator('.pipeline [role="alert"]').count()).toBe(0)
            expect(await notReloaded(b)).toBe(true)
          },
          WIDE
        )
      },
      WIDE
    )
  }, 120_000)
})
