// Browser test: a pipeline board column with more leads than one page (built dashboard, real API with the
// pipeline plugin on the harness database, Debian Chromium). The column shows its first page with the
// server's count of all its leads, "load more" shows the rest, and live changes keep the counts right.
import { seedAgency, seedStaff, seedTenant } from '@masterstage/core/testing'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { onPage } from '../../core/test/client/support/browser.ts'
import { signInToDashboard } from '../../core/test/client/support/dashboard-session.ts'
import { useWebStack } from '../../core/test/support/web-stack.ts'
import masterclassesPlugin from '../../plugins/masterclasses/plugin.ts'
import { COLUMN_PAGE } from '../../plugins/pipeline/dashboard/board-columns.ts'
import pipelinePlugin from '../../plugins/pipeline/plugin.ts'
import { openLiveBoard, registerLead } from '../../plugins/pipeline/test/support/board-page.ts'
import { seedCatalogue } from '../../plugins/pipeline/test/support/catalogue.ts'

const REP = { email: 'rep@paging.test', password: 'sales-rep-pass-1' }
const AGENCY_ADMIN = { email: 'admin@pagewind.test', password: 'agency-admin-pass-1' }
/** More leads than one page of a column. */
const LEADS = COLUMN_PAGE + 10

const lead = (index: number, masterclassId: string) => ({
  name: `Lead ${index}`,
  email: `lead${index}@paging.test`,
  masterclassId
})

const web = useWebStack('dashboard-board-paging', {
  api: { plugins: [masterclassesPlugin, pipelinePlugin] },
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'pagewind', 'Pagewind')
    // The registrations below come from one IP within a minute: limits above the test's count.
    const limits = { registrationLimits: { perIpPerMinute: 10_000, perTenantPerMinute: 10_000 } }
    const tenant = await seedTenant(api.app, {
      slug: 'paging-studio',
      name: 'Paging Studio',
      agencyId: agency._id,
      plugins: ['masterclasses', { name: 'pipeline', settings: limits }]
    })
    const masterclassId = (await seedCatalogue(api.app, tenant._id, ['one'])).one
    await seedStaff(api.app, { ...REP, role: 'sales_rep', agencyId: agency._id, tenantIds: [tenant._id] })
    await seedStaff(api.app, { ...AGENCY_ADMIN, role: 'agency_admin', agencyId: agency._id })
    for (let i = 0; i < LEADS; i++) await registerLead(api.url, 'paging-studio', lead(i, masterclassId))
    return { masterclassId }
  },
  dashboard: {}
})
const register = (index: number) =>
  registerLead(web.api.url, 'paging-studio', lead(index, web.seed.masterclassId))

const column = (page: Page, status: string) => page.locator(`[data-status="${status}"]`)
const cards = (page: Page, status: string) => column(page, status).getByTestId('lead-card').count()
const count = async (page: Page, status: string) =>
  Number(await column(page, status).getByTestId('column-count').textContent())

describe('pipeline board paging', () => {
  it('shows a page per column with the server’s count, loads more, and keeps counts live', async () => {
    await onPage(
      web.browser,
      'dashboard-board-paging',
      async (page) => {
        await openLiveBoard(page, web.dashboard.url, REP)
        expect(await cards(page, 'NEW')).toBe(COLUMN_PAGE)
        expect(await count(page, 'NEW')).toBe(LEADS)
        const more = column(page, 'NEW').getByTestId('load-more')
        expect(await more.textContent()).toContain(`${LEADS - COLUMN_PAGE} not shown`)
        expect(await column(page, 'LOST').getByTestId('load-more').count()).toBe(0)

        await more.click()
        await page.waitForURL(/show\.NEW=100/)
        await expect.poll(() => cards(page, 'NEW')).toBe(LEADS)
        expect(await count(page, 'NEW')).toBe(LEADS)
        expect(await column(page, 'NEW').getByTestId('load-more').count()).toBe(0)
        // Every lead once: the pages do not overlap.
        const emails = await column(page, 'NEW').locator('.email').allTextContents()
        expect(new Set(emails).size).toBe(LEADS)

        // Live: a new registration and a move keep the counts right without a reload.
        await register(LEADS)
        await expect.poll(() => count(page, 'NEW'), { timeout: 15_000 }).toBe(LEADS + 1)
        await column(page, 'NEW').getByTestId('lead-card').first().dragTo(column(page, 'LOST'))
        await expect.poll(() => count(page, 'LOST'), { timeout: 10_000 }).toBe(1)
        expect(await count(page, 'NEW')).toBe(LEADS)
        expect(await cards(page, 'LOST')).toBe(1)
      },
      { viewport: { width: 1700, height: 1000 } }
    )
  }, 180_000)

  it('the agency board stays live across the agency after loading more', async () => {
    await onPage(
      web.browser,
      'dashboard-board-paging-agency',
      async (page) => {
        await signInToDashboard(page, web.dashboard.url, AGENCY_ADMIN)
        await page.goto(`${web.dashboard.url}/p/pipeline?scope=agency`, { waitUntil: 'networkidle' })
        const board = page.getByTestId('pipeline-board')
        await expect.poll(() => board.getAttribute('data-live-scope'), { timeout: 15_000 }).toBe('agency')
        const before = await count(page, 'NEW')
        await column(page, 'NEW').getByTestId('load-more').click()
        await page.waitForURL(/show\.NEW=100/)
        await expect.poll(() => cards(page, 'NEW')).toBe(before)
        expect(await board.getAttribute('data-live-scope')).toBe('agency')
        await register(LEADS + 1)
        await expect.poll(() => count(page, 'NEW'), { timeout: 15_000 }).toBe(before + 1)
        expect(await column(page, 'NEW').locator('.email').allTextContents()).toContain(
          `lead${LEADS + 1}@paging.test`
        )
      },
      { viewport: { width: 1700, height: 1000 } }
    )
  }, 120_000)
})
