// Spam defences that need their own limits: per-IP and per-tenant registration rate limits from the
// tenant's plugin settings, answered 429 RATE_LIMITED with Retry-After, nothing stored past the limit.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

let t: PipelineTestApp
/** One masterclass of each tenant's catalogue, by tenant slug (registration refuses others). */
const masterclassOf: Record<string, string> = {}
const form = (email: string, tenant: string) => ({
  name: 'Ana',
  email,
  masterclassId: masterclassOf[tenant],
  consent: true
})

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-limits', {
    settings: { registrationLimits: { perIpPerMinute: 3, perTenantPerMinute: 1000 } }
  })
  // zed enables the pipeline in the tests below; it needs a catalogue first.
  await (t.app as any)
    .service('tenants')
    .enablePlugin({ tenantId: t.tenants.zed._id, plugin: 'masterclasses' })
  for (const { _id, slug } of Object.values(t.tenants))
    masterclassOf[slug] = (await t.catalogue(_id, ['one'])).one
})
afterAll(async () => {
  await t?.close()
})

describe('registration rate limits', () => {
  it('the fourth registration from one IP within a minute is refused and not stored', async () => {
    const statuses: number[] = []
    let last: any
    for (let i = 0; i < 5; i++) {
      last = await call(
        t.url,
        'POST',
        '/pipeline/registrations',
        form(`ip-${i}@example.com`, t.tenants.ava.slug),
        {
          tenant: t.tenants.ava.slug
        }
      )
      statuses.push(last.status)
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429])
    expect(last.body.data.code).toBe('RATE_LIMITED')
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0)
    const stored = await t.asTenant(t.tenants.ava._id, () => t.model('lead').countDocuments({}))
    expect(stored).toBe(3)
  })

  it('the tenant limit refuses past its budget whatever the IP budget, and the counts reach Redis', async () => {
    // Counted by the batched limiter: other API processes see the count once it is flushed to Redis.
    const zed = t.tenants.zed
    await (t.app as any).service('tenants').enablePlugin({
      tenantId: zed._id,
      plugin: 'pipeline',
      settings: { registrationLimits: { perIpPerMinute: 1000, perTenantPerMinute: 2 } }
    })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await call(
        t.url,
        'POST',
        '/pipeline/registrations',
        form(`tenant-${i}@example.com`, zed.slug),
        {
          tenant: zed.slug
        }
      )
      statuses.push(res.status)
    }
    expect(statuses).toEqual([201, 201, 429, 429])
    expect(await t.asTenant(zed._id, () => t.model('lead').countDocuments({}))).toBe(2)
    await (t.app as any).get('access').httpLimiter.flush()
    const config = (t.app as any).get('config')
    const redis = new Redis(config.redisUrl)
    try {
      const counted = await redis.get(`${config.queuePrefix}:rl:pipeline.registration.tenant:${zed._id}`)
      expect(Number(counted)).toBe(2)
    } finally {
      redis.disconnect()
    }
  })

  it('changed limits apply to the next registration', async () => {
    const zed = t.tenants.zed
    const register = (i: number) =>
      call(t.url, 'POST', '/pipeline/registrations', form(`reload-${i}@example.com`, zed.slug), {
        tenant: zed.slug
      })
    // The previous test spent zed's tenant budget of 2.
    expect((await register(0)).status).toBe(429)
    await (t.app as any).service('tenants').enablePlugin({
      tenantId: zed._id,
      plugin: 'pipeline',
      settings: { registrationLimits: { perIpPerMinute: 1000, perTenantPerMinute: 1000 } }
    })
    expect((await register(1)).status).toBe(201)
  })

  it('internal calls (imports, other plugins) are never rate limited', async () => {
    const service = (t.app as any).service('pipeline/registrations')
    for (let i = 0; i < 5; i++) {
      await t.asTenant(t.tenants.marco._id, () =>
        service.create(form(`internal-${i}@example.com`, t.tenants.marco.slug))
      )
    }
    expect(await t.asTenant(t.tenants.marco._id, () => t.model('lead').countDocuments({}))).toBe(5)
  })
})
