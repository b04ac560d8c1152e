// Cross-site form posts against the built storefront: a page on another site, or on a sibling tenant's
// `<slug>.<BASE_DOMAIN>` host (same-site, so its cookies would ride along), cannot submit a tenant's forms.
// Real browser and raw HTTP against the running platform; nothing is stored for a refused post.
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
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { ensureBuilt, type RunningWebApp, startWebApp } from '../../core/test/client/support/web-apps.ts'
import masterclasses from '../../plugins/masterclasses/plugin.ts'
import pipeline from '../../plugins/pipeline/plugin.ts'
import { leadsWithEmail as leadsOf } from './support/pipeline-leads.ts'

let api: RunningApi
let storefront: RunningWebApp
let browser: Browser
let tenantId = ''
let masterclassId = ''
let hostToken = ''
const host = (slug: string) => `${slug}.localhost:${storefront.port}`

const leadsWithEmail = (email: string) => leadsOf(api, hostToken, tenantId, email)

/** The landing page's registration form as a browser without JavaScript posts it to golf-gym. */
function postRegistration(email: string, origin?: string) {
  return rawRequest(storefront.port, '/?/pipeline-registration', {
    method: 'POST',
    headers: {
      host: host('golf-gym'),
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin !== undefined && { origin })
    },
    body: new URLSearchParams({ name: 'Forged Lead', email, masterclassId, consent: 'true' }).toString()
  })
}

beforeAll(async () => {
  await ensureBuilt('storefront')
  api = await startPlatformApi('form-origin-e2e', { plugins: [masterclasses, pipeline] })
  const agency = await seedAgency(api.app, 'origin-agency')
  for (const slug of ['golf-gym', 'hotel-hiit']) {
    const tenant = await seedTenant(api.app, agency._id, {
      slug,
      name: slug,
      primary: '#0b5394',
      headline: slug,
      plugins: ['masterclasses', 'pipeline']
    })
    if (slug === 'golf-gym') tenantId = tenant._id
  }
  const staff = await seedStaff(api.app, {
    email: 'host@golf.test',
    role: 'host',
    password: 'host-password-1',
    agencyId: agency._id,
    tenantIds: [tenantId]
  })
  hostToken = await login(api, 'host@golf.test', 'host-password-1')
  masterclassId = (await seedMasterclass(api, tenantId, hostToken, 'Swing basics', staff._id))._id
  storefront = await startWebApp('storefront', { API_URL: api.url, SITE_CACHE_MS: '0' })
  browser = await launchBrowser()
}, 600_000)

afterAll(async () => {
  await browser?.close()
  await storefront?.close()
  await api?.close()
})

describe('cross-site form posts', () => {
  it('refuses a form a sibling tenant’s page submits in the browser, and stores nothing', async () => {
    await onPage(browser, 'form-origin-sibling', async (page) => {
      // The attacker controls hotel-hiit's landing page: same site as golf-gym, another origin.
      await page.goto(`http://${host('hotel-hiit')}/`)
      const answer = page.waitForResponse((response) => response.request().method() === 'POST')
      await page.evaluate(
        ({ action, fields }) => {
          const form = document.createElement('form')
          form.method = 'POST'
          form.action = action
          for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement('input')
            input.name = name
            input.value = value
            form.append(input)
          }
          document.body.append(form)
          form.submit()
        },
        {
          action: `http://${host('golf-gym')}/?/pipeline-registration`,
          fields: { name: 'Forged Lead', email: 'sibling@forged.test', masterclassId, consent: 'true' }
        }
      )
      const response = await answer
      expect(response.request().headers().origin).toBe(`http://${host('hotel-hiit')}`)
      expect(response.status()).toBe(403)
      expect(await response.text()).toContain('sent from another site')
    })
    expect(await leadsWithEmail('sibling@forged.test')).toEqual([])
  })

  it('refuses posts from a foreign origin, another scheme, or without an Origin', async () => {
    for (const [origin, email] of [
      ['https://evil.example', 'foreign@forged.test'],
      [`https://${host('golf-gym')}`, 'scheme@forged.test'],
      [undefined, 'no-origin@forged.test']
    ] as const) {
      const response = await postRegistration(email, origin)
      expect(response.status, `${origin}`).toBe(403)
      expect(response.text).toContain('sent from another site')
      expect(await leadsWithEmail(email)).toEqual([])
    }
    // Sign-in forms are covered too (login CSRF): refused before the API is asked.
    const signIn = await rawRequest(storefront.port, '/signin?/password', {
      method: 'POST',
      headers: {
        host: host('golf-gym'),
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded'
      },
      body: 'email=a%40b.test&password=whatever-1'
    })
    expect(signIn.status).toBe(403)
  })

  it('accepts the same post from the storefront’s own origin', async () => {
    const response = await postRegistration('own@origin.test', `http://${host('golf-gym')}`)
    expect(response.status).toBe(303)
    expect(response.headers.location).toContain('/registered')
    expect(await leadsWithEmail('own@origin.test')).toHaveLength(1)
  })
})
