// Browser tests of the storefront against the running platform (API on the harness database and Redis,
// built storefront server, Debian Chromium): per-host brands and catalogues, plugin pages, accounts.
import { rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  type OutboxMessage,
  outboxMessagesTo,
  signInToken,
  waitForMessages
} from '../../core/test/auth/magic-link/outbox.ts'
import { onPage } from '../../core/test/client/support/browser.ts'
import { startFaultProxy } from '../../core/test/client/support/fault-proxy.ts'
import { seedAgency, seedTenant } from '../../core/test/client/support/platform-api.ts'
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { startWebApp } from '../../core/test/client/support/web-apps.ts'
import { seedHostedTenant, useWebStack } from '../../core/test/support/web-stack.ts'

const ids: Record<string, string> = {}
const masterclass: Record<string, string> = {}
const OUTBOX = `/tmp/ms-storefront-e2e-outbox-${process.pid}`

const web = useWebStack('storefront-e2e', {
  api: () => {
    rmSync(OUTBOX, { recursive: true, force: true })
    return { env: { EMAIL_OUTBOX_DIR: OUTBOX } }
  },
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'e2e-agency')
    for (const [slug, name, primary] of [
      ['alpha-fit', 'Alpha Fitness', '#b00020'],
      ['beta-money', 'Beta Money', '#0b5394']
    ] as const) {
      const seeded = await seedHostedTenant(api, agency._id, {
        slug,
        name,
        primary,
        headline: `${name} headline`,
        plugins: ['masterclasses'],
        host: `host@${slug}.test`,
        masterclass: `${name} masterclass`
      })
      ids[slug] = seeded.tenantId
      masterclass[slug] = seeded.masterclassId
      // Each brand also answers on a custom domain of its own.
      await (api.app as any)
        .service('tenants')
        .patch(seeded.tenantId, { domains: [`${slug.split('-')[0]}.example.com`] })
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
  },
  storefront: { BASE_DOMAIN: 'localhost', SITE_CACHE_MS: '0' }
})

const at = (slug: string, path = '/') => `http://${slug}.localhost:${web.storefront.port}${path}`

/** Emails carrying a sign-in link: asked for on the sign-in page, or mailed by a registration to confirm it. */
const isSignInLink = (message: OutboxMessage) =>
  message.subject === 'Your sign-in link' || message.subject === 'Confirm your email address'

/** The newest sign-in link token mailed to `email` (waiting for the `count`-th such email). */
async function latestSignInLink(email: string, count = 1): Promise<string> {
  const links = await waitForMessages(OUTBOX, email, count, isSignInLink)
  return signInToken(links[links.length - 1])
}
/** The link as the email has it points at the configured storefront URL; open it on the test's port. */
const signInLinkAt = (slug: string, token: string) =>
  at(slug, `/signin/link?token=${encodeURIComponent(token)}`)

describe('storefront per tenant', () => {
  it('shows each tenant its own brand and only its own masterclasses', async () => {
    await onPage(web.browser, 'two-brands', async (page) => {
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
    await onPage(web.browser, 'detail-page', async (page) => {
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
    await onPage(web.browser, 'unknown-host', async (page) => {
      const response = await page.goto(at('nobody-here'))
      expect(response?.status()).toBe(404)
      expect(await page.getByTestId('error-message').textContent()).toContain('no storefront at this address')
    })
  })

  it('serves a tenant on plain localhost through ?tenant= and remembers it', async () => {
    await onPage(web.browser, 'localhost-fallback', async (page) => {
      await page.goto(`http://localhost:${web.storefront.port}/?tenant=beta-money`)
      expect(await page.getByTestId('brand-name').textContent()).toBe('Beta Money')
      await page.goto(`http://localhost:${web.storefront.port}/`)
      expect(await page.getByTestId('brand-name').textContent()).toBe('Beta Money')
    })
  })

  it('falls back to the accessible palette when a theme fails AA contrast, and says why', async () => {
    await onPage(web.browser, 'contrast-fallback', async (page) => {
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

  it('lets an attendee register, finish through the emailed link, sign in with the password; a wrong password is refused', async () => {
    await onPage(web.browser, 'attendee-account', async (page) => {
      await page.goto(at('alpha-fit', '/signin'), { waitUntil: 'networkidle' })
      await page.getByLabel('Name').fill('Jo Attendee')
      await page.locator('#register-email').fill('jo@attendee.test')
      await page.getByLabel('Password (at least 10 characters)').fill('attendee-password-1')
      await page.getByRole('button', { name: 'Create account' }).click()
      expect(await page.getByTestId('register-status').textContent()).toContain('Check your inbox')
      // No session yet: registering must not tell a new address from a known one.
      await page.goto(at('alpha-fit', '/account'))
      await page.waitForURL('**/signin')

      await page.goto(signInLinkAt('alpha-fit', await latestSignInLink('jo@attendee.test')))
      await page.getByRole('button', { name: 'Sign in' }).click()
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

  it('answers a registration with an existing email exactly like a new one, and signs nobody in', async () => {
    await onPage(web.browser, 'register-existing', async (page) => {
      const register = async (email: string) => {
        await page.goto(at('alpha-fit', '/signin'), { waitUntil: 'networkidle' })
        await page.getByLabel('Name').fill('Someone Else')
        await page.locator('#register-email').fill(email)
        await page.getByLabel('Password (at least 10 characters)').fill('another-password-1')
        const answer = page.waitForResponse((response) => response.request().method() === 'POST')
        await page.getByRole('button', { name: 'Create account' }).click()
        const status = (await answer).status()
        const text = (await page.getByTestId('register-status').textContent())?.replace(email, '<email>')
        return { status, text }
      }
      const existing = await register('jo@attendee.test')
      const fresh = await register('new-person@attendee.test')
      expect(existing).toEqual(fresh)
      await page.goto(at('alpha-fit', '/account'))
      await page.waitForURL('**/signin')
    })
    const notices = await waitForMessages(OUTBOX, 'jo@attendee.test', 1, (message) =>
      message.subject.includes('already have an account')
    )
    expect(notices.length).toBeGreaterThanOrEqual(1)
  })

  it('signs in with an emailed link, once', async () => {
    await onPage(web.browser, 'magic-link', async (page) => {
      await page.goto(at('alpha-fit', '/signin'), { waitUntil: 'networkidle' })
      const before = (await outboxMessagesTo(OUTBOX, 'jo@attendee.test')).filter(isSignInLink).length
      await page.locator('#magic-email').fill('jo@attendee.test')
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
      expect(await page.getByTestId('magic-status').textContent()).toContain('a sign-in link is on its way')
      const link = await latestSignInLink('jo@attendee.test', before + 1)
      // A mail scanner fetching the link first must not use it up: opening it only shows a button.
      const prefetch = await rawRequest(
        web.storefront.port,
        `/signin/link?token=${encodeURIComponent(link)}`,
        {
          headers: { host: `alpha-fit.localhost:${web.storefront.port}` }
        }
      )
      expect(prefetch.status).toBe(200)
      // Nothing on the page sends its address (with the token) to another site.
      expect(prefetch.headers['referrer-policy']).toBe('same-origin')
      // Nor can another site (here a sibling tenant, same-site) press the button for the visitor.
      const forged = await rawRequest(web.storefront.port, '/signin/link', {
        method: 'POST',
        headers: {
          host: `alpha-fit.localhost:${web.storefront.port}`,
          origin: `http://beta-money.localhost:${web.storefront.port}`,
          'content-type': 'application/x-www-form-urlencoded'
        },
        body: new URLSearchParams({ token: link }).toString()
      })
      expect(forged.status).toBe(403)
      expect(forged.headers['set-cookie']).toBeUndefined()
      // The link still works after both: neither the GET nor the refused POST used it up.
      await page.goto(signInLinkAt('alpha-fit', link))
      expect(await page.getByRole('heading', { name: 'Sign in to Alpha Fitness' }).isVisible()).toBe(true)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL('**/account')
      expect(await page.getByTestId('account-email').textContent()).toContain('jo@attendee.test')
      await page.getByRole('button', { name: 'Sign out' }).click()
      // Used once: the same link now explains itself instead of signing in.
      await page.goto(signInLinkAt('alpha-fit', link))
      const again = page.waitForResponse((response) => response.request().method() === 'POST')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await again
      expect(await page.getByTestId('link-error').textContent()).toContain('expired or was already used')
      expect(page.url()).not.toContain('/account')
    })
  })

  it('serves a tenant on its custom domain', async () => {
    const answer = await rawRequest(web.storefront.port, '/', {
      headers: { host: `alpha.example.com:${web.storefront.port}` }
    })
    expect(answer.status).toBe(200)
    expect(answer.text).toContain('Alpha Fitness headline')
    expect(answer.text).toContain('--brand-primary: #b00020')
    const unknown = await rawRequest(web.storefront.port, '/', { headers: { host: 'nobody.example.com' } })
    expect(unknown.status).toBe(404)
  })

  it('keeps the typed values and says to wait when the API answers 429 or 503 to a registration', async () => {
    const proxy = await startFaultProxy(web.api.url)
    const busy = await startWebApp('storefront', { API_URL: proxy.url, SITE_CACHE_MS: '0' })
    try {
      // 429 through the enhanced (JavaScript) form, 503 through the plain HTML post.
      for (const [status, javaScriptEnabled] of [
        [429, true],
        [503, false]
      ] as const) {
        proxy.fail({ method: 'POST', path: '/users', status })
        await onPage(
          web.browser,
          `register-${status}`,
          async (page) => {
            await page.goto(`http://alpha-fit.localhost:${busy.port}/signin`, { waitUntil: 'networkidle' })
            await page.getByLabel('Name').fill('Busy Person')
            await page.locator('#register-email').fill('busy@attendee.test')
            await page.getByLabel('Password (at least 10 characters)').fill('attendee-password-1')
            const answer = page.waitForResponse((response) => response.request().method() === 'POST')
            await page.getByRole('button', { name: 'Create account' }).click()
            if (!javaScriptEnabled) expect((await answer).status()).toBe(status)
            await expect.poll(() => page.getByRole('alert').textContent()).toContain('Please wait a minute')
            expect(await page.getByLabel('Name').inputValue()).toBe('Busy Person')
            expect(await page.locator('#register-email').inputValue()).toBe('busy@attendee.test')
          },
          { javaScriptEnabled }
        )
      }
    } finally {
      await busy.close()
      await proxy.close()
    }
  })

  it('hides a disabled plugin’s section and pages', async () => {
    await (web.api.app as any)
      .service('tenants')
      .disablePlugin({ tenantId: ids['beta-money'], plugin: 'masterclasses' })
    await onPage(web.browser, 'disabled-plugin', async (page) => {
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
