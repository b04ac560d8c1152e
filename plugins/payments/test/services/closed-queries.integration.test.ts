// Every find of the plugin has a closed query (services/service-params.ts assertQueryKeys): an unknown key,
// paging of a call that does not page, or a state outside the list's own answers 400 naming the key, instead
// of being silently ignored.
import { describe, expect, it } from 'vitest'
import { asHost, useStripeScenario } from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('closed-queries')

const get = (path: string) => scenario.harness.http.get(path, asHost(scenario))

async function expectRefused(path: string, key: string) {
  const response = await get(path)
  expect({ path, status: response.status, code: response.body?.data?.code }).toEqual({
    path,
    status: 400,
    code: 'VALIDATION_FAILED'
  })
  expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual([key])
}

describe('closed queries', () => {
  it("the attendee's documents: no filter and no paging", async () => {
    expect((await get('/payments/my-documents')).status).toBe(200)
    await expectRefused('/payments/my-documents?status=open', 'status')
    await expectRefused('/payments/my-documents?$limit=5', '$limit')
  })

  it('the connected account status: nothing to filter', async () => {
    const status = await get('/payments/connect')
    expect({ status: status.status, connected: status.body.connected }).toEqual({
      status: 200,
      connected: true
    })
    await expectRefused('/payments/connect?provider=sandbox', 'provider')
    await expectRefused('/payments/connect?$skip=1', '$skip')
  })

  it('revenue: the period only, no paging', async () => {
    expect((await get('/payments/revenue?days=7')).status).toBe(200)
    await expectRefused('/payments/revenue?$limit=5', '$limit')
  })

  it('failed webhook events: the state among the tenant’s own, no other key', async () => {
    expect((await get('/payments/webhook-events?state=failed&$limit=5&$skip=0')).status).toBe(200)
    await expectRefused('/payments/webhook-events?state=unrouted', 'state')
    await expectRefused('/payments/webhook-events?status=failed', 'status')
    await expectRefused('/payments/webhook-events?$limit=101', '$limit')
  })
})
