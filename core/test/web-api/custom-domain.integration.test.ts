// Addressing a tenant by its claimed custom domain over real HTTP: in X-Tenant (API clients, the dashboard,
// the storefront forwarding its Host) and as the Host itself, beside slugs and ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningApi, seedAgency, seedTenant, startPlatformApi } from '../client/support/platform-api.ts'
import { rawRequest } from '../client/support/raw-http.ts'

let api: RunningApi
let tenant: { _id: string; slug: string }

async function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const answer = await rawRequest(Number(new URL(api.url).port), path, { headers })
  return { status: answer.status, body: JSON.parse(answer.text) }
}

beforeAll(async () => {
  api = await startPlatformApi('custom-domain')
  const agency = await seedAgency(api.app, 'domain-agency')
  tenant = await seedTenant(api.app, agency._id, {
    slug: 'gamma-yoga',
    name: 'Gamma Yoga',
    primary: '#0b5394',
    headline: 'Breathe'
  })
  await (api.app as any).service('tenants').patch(tenant._id, { domains: ['yoga.example.com'] })
}, 120_000)

afterAll(() => api?.close())

describe('custom domains in X-Tenant', () => {
  it('resolves a claimed domain, whatever its case, port or trailing dot', async () => {
    for (const reference of [
      'yoga.example.com',
      'YOGA.Example.com',
      'yoga.example.com.',
      'yoga.example.com:443'
    ]) {
      const answer = await get('/site', { 'x-tenant': reference })
      expect(answer.status, reference).toBe(200)
      expect(answer.body).toMatchObject({ slug: 'gamma-yoga', id: tenant._id })
    }
  })

  it('still resolves slugs and ids', async () => {
    expect((await get('/site', { 'x-tenant': 'gamma-yoga' })).body.id).toBe(tenant._id)
    expect((await get('/site', { 'x-tenant': tenant._id })).body.slug).toBe('gamma-yoga')
  })

  it('answers 404 TENANT_UNKNOWN for an unclaimed domain', async () => {
    const answer = await get('/site', { 'x-tenant': 'nobody.example.com' })
    expect(answer.status).toBe(404)
    expect(answer.body.data.code).toBe('TENANT_UNKNOWN')
  })

  it('resolves the same tenant from a custom-domain Host', async () => {
    const answer = await get('/site', { host: 'yoga.example.com' })
    expect(answer.status).toBe(200)
    expect(answer.body.slug).toBe('gamma-yoga')
  })

  it('follows domain changes at once in this process', async () => {
    await (api.app as any).service('tenants').patch(tenant._id, { domains: ['yoga.example.org'] })
    expect((await get('/site', { 'x-tenant': 'yoga.example.org' })).status).toBe(200)
    expect((await get('/site', { 'x-tenant': 'yoga.example.com' })).status).toBe(404)
    await (api.app as any).service('tenants').patch(tenant._id, { domains: ['yoga.example.com'] })
  })
})
