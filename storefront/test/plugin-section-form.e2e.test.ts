// Plugin landing-section forms without JavaScript: the pipeline plugin's registration form posts to the
// storefront, which routes it to the plugin's action (registry-driven), then shows the confirmation page
// or the inline field errors. Browser with JavaScript disabled against the running platform.
import { describe, expect, it } from 'vitest'
import { onPage } from '../../core/test/client/support/browser.ts'
import { seedAgency } from '../../core/test/client/support/platform-api.ts'
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { seedHostedTenant, useWebStack } from '../../core/test/support/web-stack.ts'
import masterclasses from '../../plugins/masterclasses/plugin.ts'
import pipeline from '../../plugins/pipeline/plugin.ts'
import { leadsWithEmail as leadsOf } from './support/pipeline-leads.ts'
import { registerOnLandingPage } from './support/registration-form.ts'

const web = useWebStack('section-form-e2e', {
  api: { plugins: [masterclasses, pipeline] },
  seed: async (api) =>
    seedHostedTenant(api, (await seedAgency(api.app, 'section-agency'))._id, {
      slug: 'delta-dance',
      name: 'Delta Dance',
      headline: 'Dance with Delta',
      plugins: ['masterclasses', 'pipeline'],
      host: 'host@delta.test',
      masterclass: 'Salsa from zero'
    }),
  storefront: { SITE_CACHE_MS: '0' }
})
const NO_JS = { javaScriptEnabled: false }
const landing = () => `http://delta-dance.localhost:${web.storefront.port}/`

const leadsWithEmail = (email: string) => leadsOf(web.api, web.seed.hostToken, web.seed.tenantId, email)

describe('plugin section form without JavaScript', () => {
  it('registers through the plugin action and shows the confirmation page', async () => {
    await onPage(
      web.browser,
      'section-form-register',
      async (page) => {
        await page.goto(landing())
        const visitor = { name: 'Rita Dancer', email: 'rita@dancer.test' }
        await registerOnLandingPage(page, visitor, web.seed.masterclassId)
        expect(await page.getByTestId('registration-confirmation').textContent()).toContain(
          'Delta Dance has your registration'
        )
      },
      NO_JS
    )
    const leads = await leadsWithEmail('rita@dancer.test')
    expect(leads).toHaveLength(1)
    expect(leads[0]).toMatchObject({ name: 'Rita Dancer', masterclassId: web.seed.masterclassId })
  })

  it('shows inline field errors, keeps the typed values and stores nothing for invalid input', async () => {
    await onPage(
      web.browser,
      'section-form-invalid',
      async (page) => {
        await page.goto(landing())
        const form = page.getByTestId('registration-form')
        await form.getByLabel('Name').fill('Max Invalid')
        await form.getByLabel('Email').fill('not-an-email')
        // Consent left unticked.
        const answer = page.waitForResponse((response) => response.request().method() === 'POST')
        await form.getByRole('button', { name: 'Register' }).click()
        expect((await answer).status()).toBe(400)
        await page.waitForLoadState()
        expect(page.url()).not.toContain('/registered')
        expect(await page.locator('#email-error').textContent()).toMatch(/^Email /)
        expect(await page.getByText(/^Consent /).count()).toBe(1)
        expect(await page.getByTestId('registration-form').getByLabel('Name').inputValue()).toBe(
          'Max Invalid'
        )
        expect(await page.getByTestId('registration-form').getByLabel('Email').inputValue()).toBe(
          'not-an-email'
        )
        expect(
          await page.getByTestId('registration-form').getByLabel('Email').getAttribute('aria-invalid')
        ).toBe('true')
      },
      NO_JS
    )
    expect(await leadsWithEmail('not-an-email')).toEqual([])
  })

  it('answers 404 for a form action no enabled plugin section handles', async () => {
    const host = `delta-dance.localhost:${web.storefront.port}`
    const response = await rawRequest(web.storefront.port, '/?/nobody-form', {
      method: 'POST',
      headers: { host, origin: `http://${host}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x'
    })
    expect(response.status).toBe(404)
  })
})
