// Browser tests of the storefront against the running platform (API on the harness database and Redis,
// built storefront server, Debian Chromium): per-host brands and catalogues, plugin pages, accounts.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, onPage } from '../../core/test/client/support/browser.ts'
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

let api: RunningApi
let storefront: RunningWebApp
let browser: Browser
const ids: Record<string, string> = {}
const masterclass: Record<string, string> = {}

const at = (slug: string, path = '/') => `http://${slug}.localhost:${storefront.port}${path}`

beforeAll(async () => {
  await ensureBuilt('storefront')
  api = await startPlatformApi('storefront-e2e')
  const agency = await seedAgency(api.app, 'e2e-agency')
  for (const [slug, name, primary] of [
    ['alpha-fit', 'Alpha Fitness', '#b00020'],
    ['beta-money', 'Beta Money', '#0b5394']
  ] as const) {
    const tenant = await seedTenant(api.app, agency._id, {
      slug,
      name,
      primary,
      headline: `${name} headline`,
      plugins: ['masterclasses']
    })
    ids[slug] = tenant._id
    const host = await seedStaff(api.app, {
      email: `host@${slug}.test`,
      role: 'host',
      password: 'host-password-1',
      agencyId: agency._id,
      tenantIds: [tenant._id]
    })
    const token = await login(api, `host@${slug}.test`, 'host-password-1')
    masterclass[slug] = (await seedMasterclass(api, tenant._id, token, `${name} masterclass`, host._id))._id
  }
  const contrastFail = await seedTenant(api.app, agency._id, {
    slug: 'grey-on-grey',
    name: 'Grey On Grey',
    primary: '#999999',
    headline: 'Hard to read'
  })
  await (api.app as any).service('tenants').patch(contrastFail._id, {
    theme: {
      colors: { primary: '#999999', background: '#888888', text: '#777777' },
      fonts: { heading: 'serif', body: 'serif' }
    }
  })
  storefront = await startWebApp('storefront', {
    API_URL: api.url,
    BASE_DOMAIN: 'localhost',
    SITE_CACHE_MS: '0'
  })
  browser = await launchBrowser()
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await storefront?.close()
  await api?.close()
})

describe('storefront per tenant', () => {
  it('shows each tenant its own brand and only its own masterclasses', async () => {
    await onPage(browser, 'two-brands', async (page) => {
      await page.goto(at('alpha-fit'))
      expect(await page.getByTestId('brand-name').textContent()).toBe('Alpha Fitness')
      expect(await page.locator('h1').textContent()).toBe('Alpha Fitness headline')
      const alphaPrimary = await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--brand-primary').trim()
      )
      expect(alphaPrimary).toBe('#b00020')
      const alphaList = await page.getByTestId('masterclass-list').textContent()
      expect(alphaList).toContain('Alpha Fitness masterclass')
      expect(alphaList).not.toContain('Beta Money masterclass')
      expect(await page.title()).toBe('Alpha Fitness')
      expect(await page.locator('meta[name="description"]').getAttribute('content')).toBe(
        'Alpha Fitness live'
      )

      await page.goto(at('beta-money'))
      expect(await page.getByTestId('brand-name').textContent()).toBe('Beta Money')
      const betaPrimary = await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--brand-primary').trim()
      )
      expect(betaPrimary).toBe('#0b5394')
      const betaList = await page.getByTestId('masterclass-list').textContent()
      expect(betaList).toContain('Beta Money masterclass')
      expect(betaList).not.toContain('Alpha Fitness masterclass')
    })
  })

  it('opens a masterclass detail page, and 404s for another tenant’s masterclass', async () => {
    await onPage(browser, 'detail-page', async (page) => {
      await page.goto(at('alpha-fit'))
      await page.getByRole('link', { name: 'Alpha Fitness masterclass' }).click()
      await page.waitForURL(`**/masterclasses/${masterclass['alpha-fit']}`)
      expect(await page.locator('h1').textContent()).toBe('Alpha Fitness masterclass')
      expect(await page.getByTestId('masterclass-price').textContent()).toBe('$49.00')

      const response = await page.goto(at('alpha-fit', `/masterclasses/${masterclass['beta-money']}`))
      expect(response?.status()).toBe(404)
      expect(await page.locator('h1').textContent()).toBe('Page not found')
    })
  })

  it('answers an unknown host with a 404 page', async () => {
    await onPage(browser, 'unknown-host', async (page) => {
      const response = await page.goto(at('nobody-here'))
      expect(response?.status()).toBe(404)
      expect(await page.getByTestId('error-message').textContent()).toContain('no storefront at this address')
    })
  })

  it('serves a tenant on plain localhost through ?tenant= and remembers it', async () => {
    await onPage(browser, 'localhost-fallback', async (page) => {
      await page.goto(`http://localhost:${storefront.port}/?tenant=beta-money`)
      expect(await page.getByTestId('brand-name').textContent()).toBe('Beta Money')
      await page.goto(`http://localhost:${storefront.port}/`)
      expect(await page.getByTestId('brand-name').textContent()).toBe('Beta Money')
    })
  })

  it('falls back to the accessible palette when a theme fails AA contrast, and says why', async () => {
    await onPage(browser, 'contrast-fallback', async (page) => {
      await page.goto(at('grey-on-grey'))
      const text = await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--brand-text').trim()
      )
      expect(text).toBe('#111827')
      await page.goto(at('grey-on-grey', '/theme-check'))
      expect(await page.getByTestId('contrast-error').isVisible()).toBe(true)
      expect(await page.locator('tbody').textContent()).toContain('FAIL')
    })
  })

  it('lets an attendee register, sign in and see the account slots; a wrong password is refused', async () => {
    await onPage(browser, 'attendee-account', async (page) => {
      await page.goto(at('alpha-fit', '/signin'), { waitUntil: 'networkidle' })
      await page.getByLabel('Name').fill('Jo Attendee')
      await page.getByLabel('Email', { exact: true }).nth(2).fill('jo@attendee.test')
      await page.getByLabel('Password (at least 10 characters)').fill('attendee-password-1')
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL('**/account')
      expect(await page.getByTestId('account-email').textContent()).toContain('jo@attendee.test')
      expect(await page.getByRole('heading', { name: 'My masterclasses' }).isVisible()).toBe(true)

      // Sessions are per tenant: the other brand's storefront does not know this visitor.
      await page.goto(at('beta-money'))
      expect(await page.getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true)

      await page.goto(at('alpha-fit', '/account'))
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.goto(at('alpha-fit', '/signin'), { waitUntil: 'networkidle' })
      await page.locator('#login-email').fill('jo@attendee.test')
      await page.locator('#login-password').fill('wrong-password-1')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect
        .poll(() => page.locator('#login-error').textContent())
        .toContain('Invalid email or password')
      await page.locator('#login-password').fill('attendee-password-1')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL('**/account')
    })
  })

  it('hides a disabled plugin’s section and pages', async () => {
    await (api.app as any)
      .service('tenants')
      .disablePlugin({ tenantId: ids['beta-money'], plugin: 'masterclasses' })
    await onPage(browser, 'disabled-plugin', async (page) => {
      await page.goto(at('beta-money'))
      expect(await page.getByTestId('brand-name').textContent()).toBe('Beta Money')
      expect(await page.getByRole('heading', { name: 'Upcoming masterclasses' }).count()).toBe(0)
      const response = await page.goto(at('beta-money', `/masterclasses/${masterclass['beta-money']}`))
      expect(response?.status()).toBe(404)
      // The other tenant keeps it.
      await page.goto(at('alpha-fit'))
      expect(await page.getByRole('heading', { name: 'Upcoming masterclasses' }).count()).toBe(1)
    })
  })
})
