// Rate limits over real HTTP: the global per-IP limit (429 + Retry-After), login limits per account and per
// IP, a per-tenant service limit, and the Redis-down policy (login fails closed, the rest fails open).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerService } from '../../src/app/register-service.ts'
import { rateLimit } from '../../src/rate-limit/rate-limit-hook.ts'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { api } from '../auth/support/http-client.ts'
import { PASSWORD, type Seed, seedAccess } from '../auth/support/seed.ts'
import { unreachableRedis } from './unreachable-redis.ts'

describe('global per-IP limit', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp('rl-global', { httpLimit: { name: 'http-ip', points: 5, durationSeconds: 60 } })
  })
  afterAll(() => t?.close())

  it('answers 429 RATE_LIMITED with Retry-After once the IP used its budget', async () => {
    const statuses = []
    let last: any
    for (let i = 0; i < 7; i++) {
      last = await api(t.url).get('/tenants')
      statuses.push(last.status)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429])
    expect(last.body.data.code).toBe('RATE_LIMITED')
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0)
  })
})

describe('login and service limits', () => {
  let t: TestApp
  let seed: Seed
  beforeAll(async () => {
    t = await startTestApp('rl-login', {
      limits: { loginIp: { name: 'login-ip', points: 12, durationSeconds: 60 } },
      register: (app) =>
        registerService(app, {
          path: 'contact-form',
          service: { create: async (data: any) => data } as any,
          methods: ['create'],
          access: { create: 'public' },
          hooks: { around: { create: [rateLimit({ key: 'tenant', points: 2, durationSeconds: 60 })] } }
        })
    })
    seed = await seedAccess(t.app)
  })
  afterAll(() => t?.close())

  it('locks one account after 5 attempts, even for the right password, without locking others', async () => {
    const email = seed.users.avaHost.email
    for (let i = 0; i < 5; i++) expect((await api(t.url).login(email, 'wrong-password')).status).toBe(401)
    const locked = await api(t.url).login(email, PASSWORD)
    expect(locked.status).toBe(429)
    expect(locked.body.data.code).toBe('RATE_LIMITED')
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(60)
    expect((await api(t.url).login(seed.users.marcoHost.email, PASSWORD)).status).toBe(201)
  })

  it('limits unknown accounts the same way (no enumeration through the limiter)', async () => {
    for (let i = 0; i < 5; i++)
      expect((await api(t.url).login('ghost@nowhere.test', 'x-password')).status).toBe(401)
    expect((await api(t.url).login('ghost@nowhere.test', 'x-password')).status).toBe(429)
  })

  it('limits all logins from one IP', async () => {
    // 12 per IP: 6 + 1 + 6 attempts above already used 13 → every further login from this IP is refused.
    const res = await api(t.url).login(seed.users.zedHost.email, PASSWORD)
    expect(res.status).toBe(429)
  })

  it('limits a public endpoint per tenant', async () => {
    const post = (tenant: string) => api(t.url).post('/contact-form', { message: 'hi' }, { tenant })
    expect((await post('ava-fit')).status).toBe(201)
    expect((await post('ava-fit')).status).toBe(201)
    expect((await post('ava-fit')).status).toBe(429)
    expect((await post('money-marco')).status).toBe(201)
  })
})

describe('staff login limit across tenants', () => {
  let t: TestApp
  let seed: Seed
  beforeAll(async () => {
    t = await startTestApp('rl-staff', {
      limits: { loginIp: { name: 'login-ip', points: 100, durationSeconds: 60 } }
    })
    seed = await seedAccess(t.app)
  })
  afterAll(() => t?.close())

  it('counts a staff account once, whichever tenant host or header the attempts address', async () => {
    const email = seed.users.northAdmin.email
    const tenants = [undefined, 'ava-fit', 'money-marco', 'ava-fit', undefined]
    for (const tenant of tenants) {
      const res = await api(t.url).login(email, 'wrong-password', tenant ? { tenant } : undefined)
      expect(res.status).toBe(401)
    }
    // Switching to a tenant not used yet grants no fresh attempts.
    const locked = await api(t.url).login(email, PASSWORD, { tenant: 'zed-cooks' })
    expect(locked.status).toBe(429)
    expect((await api(t.url).login(email, PASSWORD)).status).toBe(429)
  })
})

describe('when Redis is unreachable', () => {
  let t: TestApp
  const deadRedis = unreachableRedis()
  beforeAll(async () => {
    t = await startTestApp('rl-down', { redis: deadRedis })
    await seedAccess(t.app)
  })
  afterAll(async () => {
    await t?.close()
    deadRedis.disconnect()
  })

  it('refuses logins (fail closed) with 503 SERVICE_UNAVAILABLE and a short Retry-After', async () => {
    const res = await api(t.url).login('ava@ava.test', PASSWORD)
    expect(res.status).toBe(503)
    expect(res.body.data.code).toBe('SERVICE_UNAVAILABLE')
    expect(res.headers['retry-after']).toBe('5')
    expect(res.body.accessToken).toBeUndefined()
  })

  it('keeps serving other requests (the global limit fails open)', async () => {
    const res = await api(t.url).post(
      '/users',
      { email: 'new@mail.test', password: 'long-enough-pw', name: 'N' },
      { tenant: 'ava-fit' }
    )
    expect(res.status).toBe(201)
  })
})
