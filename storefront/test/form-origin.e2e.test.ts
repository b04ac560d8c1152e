// Cross-site form posts against the built storefront: a page on another site, or on a sibling tenant's
// `<slug>.<BASE_DOMAIN>` host (same-site, so its cookies would ride along), cannot submit a tenant's forms.
// Real browser and raw HTTP against the running platform; nothing is stored for a refused post.
import { describe, expect, it } from 'vitest'
import { onPage } from '../../core/test/client/support/browser.ts'
import { seedAgency, seedTenant } from '../../core/test/client/support/platform-api.ts'
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { seedHostedTenant, useWebStack } from '../../core/test/support/web-stack.ts'
import masterclasses from '../../plugins/masterclasses/plugin.ts'
import pipeline from '../../plugins/pipeline/plugin.ts'
import { leadsWithEmail as leadsOf } from './support/pipeline-leads.ts'

const PLUGINS = ['masterclasses', 'pipeline']
const web = useWebStack('form-origin-e2e', {
  api: { plugins: [masterclasses, pipeline] },
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'origin-agency')
    const golfGym = await seedHostedTenant(api, agency._id, {
      slug: 'golf-gym',
      plugins: PLUGINS,
      host: 'host@golf.test',
      masterclass: 'Swing basics'
    })
    const hotel = { slug: 'hotel-hiit', name: 'hotel-hiit', headline: 'hotel-hiit', primary: '#0b5394' }
    await seedTenant(api.app, agency._id, { ...hotel, plugins: PLUGINS })
    return golfGym
  },
  storefront: { SITE_CACHE_MS: '0' }
})
const host = (slug: string) => `${slug}.localhost:${web.storefront.port}`

const leadsWithEmail = (email: string) => leadsOf(web.api, web.seed.hostToken, web.seed.tenantId, email)

/** The landing page's registration form as a browser without JavaScript posts it to golf-gym. */
function postRegistration(email: string, origin?: string) {
  return rawRequest(web.storefront.port, '/?/pipeline-registration', {
    method: 'POST',
    headers: {
      host: host('golf-gym'),
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin !== undefined && { origin })
    },
    body: new URLSearchParams({
      name: 'Forged Lead',
      email,
      masterclassId: web.seed.masterclassId,
      consent: 'true'
    }).toString()
  })
}

describe('cross-site form posts', () => {
  it('refuses a form a sibling tenant’s page submits in the browser, and stores nothing', async () => {
    await onPage(web.browser, 'form-origin-sibling', async (page) => {
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
          fields: {
            name: 'Forged Lead',
            email: 'sibling@forged.test',
            masterclassId: web.seed.masterclassId,
            consent: 'true'
          }
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
    const signIn = await rawRequest(web.storefront.port, '/signin?/password', {
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
