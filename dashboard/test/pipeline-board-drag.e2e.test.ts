// Browser test: a rep drags a lead card on the pipeline board (built dashboard, real API with the pipeline
// plugin on the harness database, Debian Chromium). The move goes over the live socket through the
// plugin's custom `move` method, which the dashboard's clients know from the generated registry. A second rep
// in another browser sees a dragged card move without reloading; a move the transition table refuses snaps
// back with the reason in the dragging rep's browser and changes nothing for the other rep. The agency board
// of an agency admin is live for every tenant of the agency (never another agency's) and moves each lead in
// its own tenant.
import { seedAgency, seedStaff, seedTenant } from '@masterstage/core/testing'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { onPage } from '../../core/test/client/support/browser.ts'
import { useWebStack } from '../../core/test/support/web-stack.ts'
import masterclassesPlugin from '../../plugins/masterclasses/plugin.ts'
import pipelinePlugin from '../../plugins/pipeline/plugin.ts'
import { openLiveBoard, registerLead } from '../../plugins/pipeline/test/support/board-page.ts'
import { seedCatalogue } from '../../plugins/pipeline/test/support/catalogue.ts'

const REP = { email: 'rep@drag.test', password: 'sales-rep-pass-1' }
const OTHER_REP = { email: 'other-rep@drag.test', password: 'sales-rep-pass-2' }
const AGENCY_ADMIN = { email: 'admin@dragwind.test', password: 'agency-admin-pass-1' }
/** Wide enough for all seven columns, so drops land inside the window. */
const WIDE = { viewport: { width: 1700, height: 1000 } }
const PLUGINS = ['masterclasses', 'pipeline']

const web = useWebStack('dashboard-board-drag', {
  api: { plugins: [masterclassesPlugin, pipelinePlugin] },
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'dragwind', 'Dragwind')
    const otherAgency = await seedAgency(api.app, 'elsewind', 'Elsewind')
    /** The catalogue entry of a new tenant with the pipeline. */
    const studio = async (slug: string, name: string, agencyId: string) => {
      const tenant = await seedTenant(api.app, { slug, name, agencyId, plugins: PLUGINS })
      return { tenantId: tenant._id, masterclassId: (await seedCatalogue(api.app, tenant._id, ['one'])).one }
    }
    const first = await studio('drag-studio', 'Drag Studio', agency._id)
    // Catalogue entries of the agency's second tenant and of a tenant of another agency.
    const second = await studio('drag-two', 'Drag Two', agency._id)
    const elsewhere = await studio('else-studio', 'Else Studio', otherAgency._id)
    await seedStaff(api.app, { ...AGENCY_ADMIN, role: 'agency_admin', agencyId: agency._id })
    for (const rep of [REP, OTHER_REP])
      await seedStaff(api.app, {
        ...rep,
        role: 'sales_rep',
        agencyId: agency._id,
        tenantIds: [first.tenantId]
      })
    return {
      masterclassId: first.masterclassId,
      secondMasterclassId: second.masterclassId,
      elsewhereMasterclassId: elsewhere.masterclassId
    }
  },
  dashboard: {}
})

const register = (name: string, email: string, tenant = 'drag-studio', mc = web.seed.masterclassId) =>
  registerLead(web.api.url, tenant, { name, email, masterclassId: mc })

/** Opens the board once, live, and marks the document: the mark is gone if the page ever reloads. */
async function openMarkedBoard(page: Page, rep: typeof REP, query = ''): Promise<void> {
  await openLiveBoard(page, web.dashboard.url, rep, query)
  await page.evaluate(() => ((window as any).__boardNotReloaded = true))
}

const notReloaded = (page: Page) => page.evaluate(() => (window as any).__boardNotReloaded === true)
const cardEmails = (page: Page, status: string) =>
  page.locator(`[data-status="${status}"] [data-testid="lead-card"] .email`).allTextContents()

describe('pipeline board drag and drop', () => {
  it('moves a dragged card to the next allowed column, and it stays there after a reload', async () => {
    await register('Dragged Lead', 'dragged@example.com')
    await onPage(
      web.browser,
      'dashboard-board-drag',
      async (page) => {
        await openLiveBoard(page, web.dashboard.url, REP)
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
      web.browser,
      'dashboard-board-drag-a',
      async (a) => {
        await onPage(
          web.browser,
          'dashboard-board-drag-b',
          async (b) => {
            await openMarkedBoard(a, REP)
            await openMarkedBoard(b, OTHER_REP)
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

  it('the agency board is live for every tenant of the agency and moves a lead in its own tenant', async () => {
    await onPage(
      web.browser,
      'dashboard-board-agency',
      async (admin) => {
        await onPage(
          web.browser,
          'dashboard-board-agency-rep',
          async (rep) => {
            await openMarkedBoard(admin, AGENCY_ADMIN, '?scope=agency')
            await expect
              .poll(() => admin.getByTestId('pipeline-board').getAttribute('data-live-scope'))
              .toBe('agency')
            await openMarkedBoard(rep, REP)
            await register('Agency One', 'agency.one@example.com')
            await register('Agency Two', 'agency.two@example.com', 'drag-two', web.seed.secondMasterclassId)
            await register(
              'Else Where',
              'else.where@example.com',
              'else-studio',
              web.seed.elsewhereMasterclassId
            )

            // Both tenants of the agency arrive live on the agency board; the rep's board stays its tenant's.
            await expect
              .poll(() => cardEmails(admin, 'NEW'), { timeout: 15_000 })
              .toEqual(expect.arrayContaining(['agency.one@example.com', 'agency.two@example.com']))
            await expect
              .poll(() => cardEmails(rep, 'NEW'), { timeout: 15_000 })
              .toContain('agency.one@example.com')
            await new Promise((resolve) => setTimeout(resolve, 1_000))
            expect(await cardEmails(admin, 'NEW')).not.toContain('else.where@example.com')
            expect(await cardEmails(rep, 'NEW')).not.toContain('agency.two@example.com')

            // Drag and drop on the agency board: each move goes to the lead's own tenant.
            await admin
              .locator('[data-testid="lead-card"]', { hasText: 'agency.two@example.com' })
              .dragTo(admin.locator('[data-status="LOST"]'))
            await expect
              .poll(() => cardEmails(admin, 'LOST'), { timeout: 10_000 })
              .toContain('agency.two@example.com')
            await admin
              .locator('[data-testid="lead-card"]', { hasText: 'agency.one@example.com' })
              .dragTo(admin.locator('[data-status="LOST"]'))
            // The rep of the first tenant sees that move live.
            await expect
              .poll(() => cardEmails(rep, 'LOST'), { timeout: 10_000 })
              .toContain('agency.one@example.com')
            expect(await admin.locator('.pipeline [role="alert"]').count()).toBe(0)
            expect(await notReloaded(admin)).toBe(true)

            const login = await fetch(`${web.api.url}/authentication`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ strategy: 'local', ...AGENCY_ADMIN })
            })
            const { accessToken } = await login.json()
            for (const [tenant, email] of [
              ['drag-two', 'agency.two@example.com'],
              ['drag-studio', 'agency.one@example.com']
            ]) {
              const found = await fetch(`${web.api.url}/pipeline/leads?status=LOST`, {
                headers: { authorization: `Bearer ${accessToken}`, 'x-tenant': tenant }
              })
              const page = await found.json()
              expect(page.data.find((lead: any) => lead.email === email)?.status).toBe('LOST')
            }
          },
          WIDE
        )
      },
      WIDE
    )
  }, 120_000)
})
