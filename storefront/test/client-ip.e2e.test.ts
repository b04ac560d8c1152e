// The "Email me a sign-in link" form behind the storefront: each visitor's address reaches the API
// (X-Forwarded-For, honoured with TRUST_PROXY), so one busy visitor is limited without locking out everyone
// else; the API's field errors show next to the input.
import { describe, expect, it } from 'vitest'
import { seedAgency, seedTenant } from '../../core/test/client/support/platform-api.ts'
import { rawRequest } from '../../core/test/client/support/raw-http.ts'
import { useWebStack } from '../../core/test/support/web-stack.ts'

const web = useWebStack('client-ip-e2e', {
  api: { env: { TRUST_PROXY: 'true' } },
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'ip-agency')
    await seedTenant(api.app, agency._id, {
      slug: 'lima-lift',
      name: 'Lima Lift',
      primary: '#0b5394',
      headline: 'x'
    })
  },
  // Behind a proxy adapter-node reads the visitor's address from a header; here the test sets it.
  storefront: { SITE_CACHE_MS: '0', ADDRESS_HEADER: 'x-visitor-address' },
  browser: false
})

/** Posts the "Email me a sign-in link" form as a browser without JavaScript would, from `visitor`. */
async function requestLink(visitor: string, email: string) {
  const host = `lima-lift.localhost:${web.storefront.port}`
  return rawRequest(web.storefront.port, '/signin?/magic', {
    method: 'POST',
    headers: {
      host,
      origin: `http://${host}`,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      'x-visitor-address': visitor
    },
    body: new URLSearchParams({ email }).toString()
  })
}

describe('visitor addresses reach the API', () => {
  it('limits sign-in link requests per visitor, not per storefront server', async () => {
    const statuses = []
    for (let index = 0; index < 11; index++)
      statuses.push((await requestLink('203.0.113.7', `visitor${index}@ip.test`)).status)
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200))
    expect(statuses[10]).toBe(429)
    const limited = await requestLink('203.0.113.7', 'one-more@ip.test')
    expect(limited.text).toContain('Please wait a minute')
    // Another visitor on the same storefront is unaffected.
    expect((await requestLink('203.0.113.8', 'other@ip.test')).status).toBe(200)
  })

  it('shows the API’s field error next to the email input for a malformed address', async () => {
    const answer = await requestLink('203.0.113.9', 'not-an-email')
    expect(answer.status).toBe(400)
    expect(answer.text).toMatch(/<p class="error[^"]*" role="alert">Email must match format/)
    expect(answer.text).toContain('value="not-an-email"')
  })
})
