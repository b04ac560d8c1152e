// Registration source attribution in a real browser, with and without JavaScript: a visitor lands from an
// external page with UTM parameters, browses the storefront (the query string is gone), comes back and
// registers; the stored lead's source still names the campaign and the external referrer, from the
// first-party cookie the storefront set on landing. Visitors of different campaigns share the cached
// section data, yet each form carries and submits its own source (a prop computed per request); a form
// whose masterclasses read failed is not cached for the next visitors. The form's source is always what
// the cookie keeps: an on-site link with other UTM values changes neither; a landing link's ?ref= counts.
import type { BrowserContextOptions } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { onPage } from '../../core/test/client/support/browser.ts'
import { seedAgency } from '../../core/test/client/support/platform-api.ts'
import { seedHostedTenant, useWebStack } from '../../core/test/support/web-stack.ts'
import masterclasses from '../../plugins/masterclasses/plugin.ts'
import pipeline from '../../plugins/pipeline/plugin.ts'
import { leadsWithEmail as leadsOf } from './support/pipeline-leads.ts'
import { registerOnLandingPage } from './support/registration-form.ts'

const web = useWebStack('attribution-e2e', {
  api: { plugins: [masterclasses, pipeline] },
  seed: async (api) =>
    seedHostedTenant(api, (await seedAgency(api.app, 'attribution-agency'))._id, {
      slug: 'echo-yoga',
      name: 'Echo Yoga',
      headline: 'Breathe with Echo',
      plugins: ['masterclasses', 'pipeline'],
      host: 'host@echo.test',
      masterclass: 'Yoga at dawn'
    }),
  // Section data is cached for far longer than the test: every visit below after the first is served from it.
  storefront: { SITE_CACHE_MS: '600000' }
})
const origin = () => `http://echo-yoga.localhost:${web.storefront.port}`
const EXTERNAL = 'https://www.instagram.com/p/abc123/?igshid=personal-token&email=ana%40b.test'

const leadsWithEmail = (email: string) => leadsOf(web.api, web.seed.hostToken, web.seed.tenantId, email)

describe('registration source attribution', () => {
  it.each([
    ['with JavaScript', 'ana-js@echo.test', {}],
    ['without JavaScript', 'ana-nojs@echo.test', { javaScriptEnabled: false }]
  ] as [string, string, BrowserContextOptions][])(
    'keeps the landing UTM values and external referrer through internal navigation (%s)',
    async (name, email, options) => {
      await onPage(
        web.browser,
        `attribution-${name}`,
        async (page) => {
          await page.goto(`${origin()}/?utm_source=instagram&utm_campaign=spring`, { referer: EXTERNAL })
          const [cookie] = (await page.context().cookies(origin())).filter((c) => c.name === 'ms_attribution')
          expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false })
          expect(cookie.expires * 1000 - Date.now()).toBeGreaterThan(29 * 24 * 60 * 60 * 1000)

          // Elsewhere on the storefront, then back home through the header link: no query string left.
          await page.getByRole('link', { name: 'Sign in' }).click()
          await page.waitForURL(`${origin()}/signin`)
          await page.getByRole('link', { name: 'Echo Yoga' }).click()
          await page.waitForURL(`${origin()}/`)
          expect(new URL(page.url()).search).toBe('')

          await registerOnLandingPage(page, { name: 'Ana Attributed', email }, web.seed.masterclassId)
        },
        options
      )
      const leads = await leadsWithEmail(email)
      expect(leads).toHaveLength(1)
      // The referrer without its query string (it carried personal data), no medium (none was given).
      expect(leads[0].source).toEqual({
        utmSource: 'instagram',
        utmCampaign: 'spring',
        referrer: 'https://www.instagram.com/p/abc123/'
      })
    }
  )

  it('credits the stored campaign, not the UTM values of an on-site link the visitor followed', async () => {
    const email = 'ana-onsite@echo.test'
    await onPage(web.browser, 'attribution-onsite-link', async (page) => {
      await page.goto(`${origin()}/?utm_source=instagram&utm_campaign=spring`, { referer: EXTERNAL })
      // A tagged link on the storefront's own pages (a banner), followed by a click: the Referer is our host.
      await page.evaluate(() => {
        const link = document.createElement('a')
        link.href = '/?utm_source=banner&utm_campaign=footer'
        link.textContent = 'Tagged banner'
        document.body.prepend(link)
      })
      await page.getByRole('link', { name: 'Tagged banner' }).click()
      await page.waitForURL(`${origin()}/?utm_source=banner&utm_campaign=footer`)
      const form = page.getByTestId('registration-form')
      await expect(form.locator('input[name="utmSource"]').getAttribute('value')).resolves.toBe('instagram')
      await registerOnLandingPage(page, { name: 'Ana Onsite', email }, web.seed.masterclassId)
      const [cookie] = (await page.context().cookies(origin())).filter((c) => c.name === 'ms_attribution')
      expect(JSON.parse(Buffer.from(cookie.value, 'base64url').toString('utf8'))).toMatchObject({
        utmSource: 'instagram',
        utmCampaign: 'spring'
      })
    })
    const leads = await leadsWithEmail(email)
    expect(leads.map((lead) => lead.source)).toEqual([
      { utmSource: 'instagram', utmCampaign: 'spring', referrer: 'https://www.instagram.com/p/abc123/' }
    ])
  })

  it("credits a landing link's ?ref= referrer, kept by the cookie like a Referer", async () => {
    const email = 'ref@echo.test'
    await onPage(
      web.browser,
      'attribution-ref',
      async (page) => {
        await page.goto(`${origin()}/?ref=${encodeURIComponent('https://partner.test/list?id=9')}`)
        await page.goto(`${origin()}/`)
        await registerOnLandingPage(page, { name: 'Rafa Referred', email }, web.seed.masterclassId)
      },
      { javaScriptEnabled: false }
    )
    const leads = await leadsWithEmail(email)
    expect(leads.map((lead) => lead.source)).toEqual([{ referrer: 'https://partner.test/list' }])
  })

  it('shares one cache entry between two campaigns, each visitor submitting its own source', async () => {
    let masterclassReads = 0
    ;(web.api.app as any).service('masterclasses/masterclasses').hooks({
      before: {
        find: [
          async (context: any) => {
            // The storefront's requests only: the registration's own catalogue (pipeline) reads in process
            // and refreshes on its TTL, which a slow run can reach between the two visits.
            if (context.params.provider) masterclassReads++
          }
        ]
      }
    })
    // A query parameter no other test uses: the first of the two visits below misses the cache.
    const fresh = `v=${Date.now()}`
    const visits = [
      ['alpha@echo.test', 'alpha', 'one'],
      ['beta@echo.test', 'beta', 'two']
    ] as const
    const readsAfterVisit: number[] = []
    for (const [email, source, campaign] of visits) {
      await onPage(
        web.browser,
        `attribution-shared-${source}`,
        async (page) => {
          await page.goto(`${origin()}/?utm_source=${source}&utm_campaign=${campaign}&${fresh}`)
          const form = page.getByTestId('registration-form')
          await expect(form.locator('input[name="utmSource"]').getAttribute('value')).resolves.toBe(source)
          await registerOnLandingPage(page, { name: `Visitor ${source}`, email }, web.seed.masterclassId)
        },
        { javaScriptEnabled: false }
      )
      readsAfterVisit.push(masterclassReads)
    }
    // The first visit filled the entry (the masterclasses section reads them too); the second asked nothing.
    expect(readsAfterVisit[0]).toBeGreaterThan(0)
    expect(readsAfterVisit[1]).toBe(readsAfterVisit[0])
    for (const [email, source, campaign] of visits) {
      const leads = await leadsWithEmail(email)
      expect(leads.map((lead) => lead.source)).toEqual([{ utmSource: source, utmCampaign: campaign }])
    }
  })

  it('does not cache a form whose masterclasses read failed: the next visitor gets the list', async () => {
    let failing = true
    ;(web.api.app as any).service('masterclasses/masterclasses').hooks({
      before: {
        find: [
          async () => {
            if (failing) throw new Error('passing API failure')
          }
        ]
      }
    })
    const url = `${origin()}/?utm_source=alpha&v=partial-${Date.now()}`
    const masterclassOptions = async (name: string) => {
      let count = 0
      await onPage(
        web.browser,
        `attribution-partial-${name}`,
        async (page) => {
          await page.goto(url)
          const form = page.getByTestId('registration-form')
          // The visit's own source is rendered whether or not the section data is complete.
          await expect(form.locator('input[name="utmSource"]').getAttribute('value')).resolves.toBe('alpha')
          count = await form.locator('select[name="masterclassId"] option').count()
        },
        { javaScriptEnabled: false }
      )
      return count
    }
    expect(await masterclassOptions('failed')).toBe(0)
    failing = false
    expect(await masterclassOptions('next')).toBeGreaterThan(0)
  })

  it('credits nothing to a direct visit', async () => {
    const email = 'direct@echo.test'
    await onPage(
      web.browser,
      'attribution-direct',
      async (page) => {
        await page.goto(`${origin()}/`)
        expect((await page.context().cookies(origin())).map((c) => c.name)).not.toContain('ms_attribution')
        await registerOnLandingPage(page, { name: 'Dora Direct', email }, web.seed.masterclassId)
      },
      { javaScriptEnabled: false }
    )
    const leads = await leadsWithEmail(email)
    expect(leads).toHaveLength(1)
    expect(leads[0].source ?? {}).toEqual({})
  })
})
