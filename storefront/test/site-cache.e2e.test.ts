// The storefront's tenant cache against the running platform: with a long SITE_CACHE_MS, a landing page is
// served from the cache, yet a tenant edit shows at once (the API's invalidation broadcast over Redis).
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type RunningApi,
  seedAgency,
  seedTenant,
  startPlatformApi
} from '../../core/test/client/support/platform-api.ts'
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { ensureBuilt, type RunningWebApp, startWebApp } from '../../core/test/client/support/web-apps.ts'

let api: RunningApi
let storefront: RunningWebApp
let tenantId = ''

const landing = async () => {
  const answer = await rawRequest(storefront.port, '/', {
    headers: { host: `kilo-keto.localhost:${storefront.port}` }
  })
  expect(answer.status).toBe(200)
  return answer.text
}

beforeAll(async () => {
  await ensureBuilt('storefront')
  api = await startPlatformApi('site-cache-e2e')
  const agency = await seedAgency(api.app, 'cache-agency')
  tenantId = (
    await seedTenant(api.app, agency._id, {
      slug: 'kilo-keto',
      name: 'Kilo Keto',
      primary: '#0b5394',
      headline: 'First headline',
      plugins: ['masterclasses']
    })
  )._id
  storefront = await startWebApp('storefront', {
    API_URL: api.url,
    SITE_CACHE_MS: '600000',
    QUEUE_PREFIX: api.app.get('config').queuePrefix
  })
}, 600_000)

afterAll(async () => {
  await storefront?.close()
  await api?.close()
})

describe('storefront tenant cache', () => {
  it('serves repeat landing pages without asking the API again', async () => {
    expect(await landing()).toContain('First headline')
    let siteCalls = 0
    // Counts calls reaching the API's site service from now on.
    ;(api.app as any).service('site').hooks({
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
    await (api.app as any).service('tenants').patch(tenantId, {
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
    await storefront.close()
    // close() escalates to SIGKILL after 5 s: an open Redis subscription would hold the process that long.
    expect(Date.now() - started).toBeLessThan(4_000)
  })
})
