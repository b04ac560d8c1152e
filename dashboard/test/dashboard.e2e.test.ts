// Browser tests of the dashboard against the running platform (API on the harness database and Redis, built
// dashboard and storefront servers, Debian Chromium): roles and the tenant switcher, onboarding a tenant
// whose storefront goes live, live widgets over Socket.io, server-side tables, disabling a plugin.
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
import { seedHost, useWebStack } from '../../core/test/support/web-stack.ts'

const tenants: Record<string, string> = {}

const ADMIN = { email: 'nora@agency.test', password: 'agency-admin-pass' }
const REP = { email: 'sam@agency.test', password: 'sales-rep-pass-1' }

const web = useWebStack('dashboard-e2e', {
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'northwind')
    const other = await seedAgency(api.app, 'elsewhere')
    for (const [slug, name, primary] of [
      ['ava-studio', 'Ava Studio', '#b00020'],
      ['marco-money', 'Marco Money', '#0b5394']
    ] as const) {
      tenants[slug] = (
        await seedTenant(api.app, agency._id, {
          slug,
          name,
          primary,
          headline: name,
          plugins: ['masterclasses']
        })
      )._id
    }
    tenants['other-brand'] = (
      await seedTenant(api.app, other._id, {
        slug: 'other-brand',
        name: 'Other Brand',
        primary: '#333333',
        headline: 'x'
      })
    )._id
    await seedStaff(api.app, { ...ADMIN, role: 'agency_admin', agencyId: agency._id })
    await seedStaff(api.app, {
      ...REP,
      role: 'sales_rep',
      agencyId: agency._id,
      tenantIds: [tenants['ava-studio']]
    })
    const host = await seedHost(api, agency._id, tenants['ava-studio'], {
      email: 'ava@agency.test',
      masterclass: 'Zumba basics'
    })
    await seedMasterclass(api, tenants['ava-studio'], host.hostToken, 'Animal flow', host.hostId)
    return host
  },
  storefront: { SITE_CACHE_MS: '0' },
  dashboard: ({ storefront }) => ({ STOREFRONT_URL: `http://localhost:${storefront.port}` })
})

const signIn = (page: Page, user: { email: string; password: string }) =>
  signInToDashboard(page, web.dashboard.url, user)

async function switcherOptions(page: Page): Promise<string[]> {
  return page.locator('#tenant-switcher option').allTextContents()
}

describe('dashboard', () => {
  it('refuses a wrong password with a clear message', async () => {
    await onPage(web.browser, 'dashboard-wrong-password', async (page) => {
      await page.goto(`${web.dashboard.url}/signin`, { waitUntil: 'networkidle' })
      await page.getByLabel('Email').fill(ADMIN.email)
      await page.getByLabel('Password').fill('not-the-password')
      await page.getByRole('button', { name: 'Sign in' }).click()
      expect(await page.getByTestId('signin-error').textContent()).toContain('Invalid email or password')
      expect(await page.getByLabel('Email').inputValue()).toBe(ADMIN.email)
    })
  })

  it('lists exactly the agency’s tenants for its admin, with admin navigation', async () => {
    await onPage(web.browser, 'dashboard-admin-switcher', async (page) => {
      await signIn(page, ADMIN)
      expect((await switcherOptions(page)).sort()).toEqual(['Ava Studio', 'Marco Money'])
      const nav = await page.getByRole('navigation', { name: 'Main' }).textContent()
      expect(nav).toContain('Onboard a tenant')
      expect(nav).toContain('Team')
      expect(nav).toContain('Masterclasses')
    })
  })

  it('shows a sales rep only the tenants it is assigned to, and no admin pages', async () => {
    await onPage(web.browser, 'dashboard-rep', async (page) => {
      await signIn(page, REP)
      expect(await switcherOptions(page)).toEqual(['Ava Studio'])
      expect(await page.getByTestId('tenant-count').textContent()).toContain('1 tenant')
      const nav = await page.getByRole('navigation', { name: 'Main' }).textContent()
      expect(nav).not.toContain('Team')
      expect(nav).not.toContain('Tenants')
      const response = await page.goto(`${web.dashboard.url}/tenants`)
      expect(response?.status()).toBe(403)
    })
  })

  it('updates the home widget live when a masterclass is created elsewhere', async () => {
    await onPage(web.browser, 'dashboard-live-widget', async (page) => {
      await signIn(page, ADMIN)
      await page.locator('#tenant-switcher').selectOption({ label: 'Ava Studio' })
      await page.waitForLoadState('networkidle')
      await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live')
      expect(await page.getByTestId('upcoming-count').textContent()).toBe('2')
      const hostToken = await login(web.api, 'ava@agency.test', 'host-password-1')
      await seedMasterclass(web.api, tenants['ava-studio'], hostToken, 'Live mobility', web.seed.hostId)
      await expect.poll(() => page.getByTestId('upcoming-count').textContent(), { timeout: 15_000 }).toBe('3')
    })
  })

  it('sorts, filters and pages the masterclass table on the server and shows field errors on create', async () => {
    await onPage(web.browser, 'dashboard-masterclass-table', async (page) => {
      await signIn(page, ADMIN)
      await page.goto(`${web.dashboard.url}/p/masterclasses?sort=title&dir=1`)
      const ascending = await page
        .locator('[data-testid="masterclass-rows"] tr td:first-child')
        .allTextContents()
      expect(ascending).toEqual([...ascending].sort())
      await page.getByRole('link', { name: 'Title' }).click()
      await page.waitForURL('**dir=-1**')
      const descending = await page
        .locator('[data-testid="masterclass-rows"] tr td:first-child')
        .allTextContents()
      expect(descending).toEqual([...ascending].reverse())
      await page.getByRole('link', { name: 'past' }).click()
      await page.waitForURL('**when=past**')
      expect(await page.locator('[data-testid="masterclass-rows"]').textContent()).toContain(
        'No masterclasses.'
      )

      await page.goto(`${web.dashboard.url}/p/masterclasses`)
      await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live')
      await page.getByLabel('Starts').fill('2031-05-01T10:00')
      await page.getByRole('button', { name: 'Create' }).click()
      await expect.poll(() => page.locator('.create [role="alert"]').first().textContent()).toContain('Title')
    })
  })

  it('onboards a tenant with field-level errors, and its storefront goes live at its host', async () => {
    await onPage(web.browser, 'dashboard-onboarding', async (page) => {
      await signIn(page, ADMIN)
      await page.getByRole('link', { name: 'Onboard a tenant' }).click()
      await page.getByLabel(/^Slug/).fill('lena-yoga')
      await page.getByLabel('Brand name').fill('Lena Yoga')
      await page.getByLabel('Headline', { exact: true }).fill('Breathe with Lena')
      // Unreadable colors are refused before anything is created.
      await page.getByLabel('Text color').fill('#cccccc')
      await page.getByLabel('Background color').fill('#ffffff')
      await page.getByRole('button', { name: 'Create tenant' }).click()
      await expect.poll(() => page.locator('[data-field="colors.text"]').textContent()).toContain('WCAG AA')
      expect(await page.getByLabel('Brand name').inputValue()).toBe('Lena Yoga')

      await page.getByLabel('Text color').fill('#1a1a1a')
      await page.getByLabel('Masterclasses listed on the landing page').fill('99')
      await page.getByRole('button', { name: 'Create tenant' }).click()
      await expect
        .poll(() => page.locator('[data-field="plugin.masterclasses.settings.maxListed"]').textContent())
        .toContain('must be <= 24')
      expect(await page.getByTestId('form-message').textContent()).toContain('tenant was created')

      await page.getByLabel('Masterclasses listed on the landing page').fill('4')
      await page.getByRole('button', { name: 'Save plugins' }).click()
      await page.waitForURL('**/tenants/*?created=1')
      const storefrontUrl = await page.getByTestId('storefront-link').getAttribute('href')
      expect(storefrontUrl).toBe(`http://lena-yoga.localhost:${web.storefront.port}`)

      await page.goto(storefrontUrl!)
      expect(await page.getByTestId('brand-name').textContent()).toBe('Lena Yoga')
      expect(await page.locator('h1').textContent()).toBe('Breathe with Lena')
      expect(await page.getByRole('heading', { name: 'Upcoming masterclasses' }).count()).toBe(1)
    })
  })

  it('removes a disabled plugin’s navigation, widget and pages', async () => {
    await onPage(web.browser, 'dashboard-disable-plugin', async (page) => {
      await signIn(page, ADMIN)
      await page.goto(`${web.dashboard.url}/tenants/${tenants['marco-money']}`)
      await page.locator('fieldset[data-plugin="masterclasses"] legend input[type="checkbox"]').uncheck()
      await page.getByRole('button', { name: 'Save plugins' }).click()
      await page.getByTestId('plugins-saved').waitFor()
      await page.locator('#tenant-switcher').selectOption({ label: 'Marco Money' })
      // The switch reloads the page's data: wait until it shows the tenant before looking at its widgets.
      await page.locator('h1', { hasText: 'Marco Money' }).waitFor()
      await page.waitForLoadState('networkidle')
      expect(await page.locator('h1').textContent()).toBe('Marco Money')
      expect(await page.getByRole('heading', { name: 'Next masterclasses' }).count()).toBe(0)
      expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).not.toContain(
        'Masterclasses'
      )
      const response = await page.goto(`${web.dashboard.url}/p/masterclasses`)
      expect(response?.status()).toBe(404)
      // Still there for the tenant that keeps the plugin.
      await page.goto(`${web.dashboard.url}/`)
      await page.locator('#tenant-switcher').selectOption({ label: 'Ava Studio' })
      await page.locator('h1', { hasText: 'Ava Studio' }).waitFor()
      // The widget renders once its plugin's data has loaded (networkidle can come before the switch's requests).
      await page.getByRole('heading', { name: 'Next masterclasses' }).waitFor()
      expect(await page.getByRole('heading', { name: 'Next masterclasses' }).count()).toBe(1)
    })
  })
})
