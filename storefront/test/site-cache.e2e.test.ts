// The storefront's tenant cache against the running platform: with a long SITE_CACHE_MS, a landing page is
// served from the cache, yet a tenant edit shows at once (the API's invalidation broadcast over Redis).
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { seedAgency, seedTenant } from '../../core/test/client/support/platform-api.ts'
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { useWebStack } from '../../core/test/support/web-stack.ts'

const web = useWebStack('site-cache-e2e', {
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'cache-agency')
    const tenant = await seedTenant(api.app, agency._id, {
      slug: 'kilo-keto',
      name: 'Kilo Keto',
      primary: '#0b5394',
      headline: 'First headline',
      plugins: ['masterclasses']
    })
    return { tenantId: tenant._id }
  },
  storefront: ({ api }) => ({ SITE_CACHE_MS: '600000', QUEUE_PREFIX: api.app.get('config').queuePrefix }),
  browser: false
})

const landing = async () => {
  const answer = await rawRequest(web.storefront.port, '/', {
    headers: { host: `kilo-keto.localhost:${web.storefront.port}` }
  })
  expect(answer.status).toBe(200)
  return answer.text
}

describe('storefront tenant cache', () => {
  it('serves repeat landing pages without asking the API again', async () => {
    expect(await landing()).toContain('First headline')
    let siteCalls = 0
    // Counts calls reaching the API's site service from now on.
    ;(web.api.app as any).service('site').hooks({
      before: {
        find: [
          async () => {
            siteCalls++
          }
        ]
      }
    })
    for (let index = 0; index < 5; index++) expect(await landing()).toContain('First headline')
    expect(siteCalls).toBe(0)
  })

  it('shows a tenant edit at once, long before SITE_CACHE_MS', async () => {
    await (web.api.app as any).service('tenants').patch(web.seed.tenantId, {
      theme: {
        colors: { primary: '#7a1f5c', background: '#ffffff', text: '#111111' },
        fonts: { heading: 'Georgia, serif', body: 'system-ui, sans-serif' },
        copy: { headline: 'Second headline', subheadline: 'Kilo Keto live', callToAction: 'Join' }
      }
    })
    const deadline = Date.now() + 5_000
    let page = await landing()
    while (!page.includes('Second headline') && Date.now() < deadline) {
      await sleep(100)
      page = await landing()
    }
    expect(page).toContain('Second headline')
    expect(page).toContain('--brand-primary: #7a1f5c')
  })

  it('still shuts down promptly on SIGTERM while following tenant changes', async () => {
    const started = Date.now()
    await web.storefront.close()
    // close() escalates to SIGKILL after 5 s: an open Redis subscription would hold the process that long.
    expect(Date.now() - started).toBeLessThan(4_000)
  })
})
