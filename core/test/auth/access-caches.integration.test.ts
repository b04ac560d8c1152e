// Per-process caches (authenticated users, tenants) against two API instances sharing database and Redis:
// with the cache of the second instance warm, an access change or tenant change made through the first is
// seen by the second at once (invalidation broadcast), far inside the caches' TTLs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { USER_CACHE_TTL_MS } from '../../src/auth/user-cache.ts'
import { eventually } from '../support/eventually.ts'
import { startTestApp, type TestApp } from './support/access-test-app.ts'
import { api } from './support/http-client.ts'
import { enableNotes, notesManifest, registerNotesFixture } from './support/notes-fixture.ts'
import { PASSWORD, type Seed, seedAccess } from './support/seed.ts'

// Well below the user cache TTL (and the tenant directory's 5 s): only an invalidation explains the change.
const PROPAGATION_MS = 1_000

let first: TestApp
let second: TestApp
let seed: Seed

beforeAll(async () => {
  first = await startTestApp('auth-access-caches', {
    plugins: [notesManifest],
    register: registerNotesFixture
  })
  second = await startTestApp('auth-access-caches-second', {
    plugins: [notesManifest],
    register: registerNotesFixture,
    config: {
      mongoUri: first.config.mongoUri,
      queuePrefix: first.config.queuePrefix,
      jwtSecret: first.config.jwtSecret
    }
  })
  seed = await seedAccess(first.app)
  await enableNotes(first.app, [seed.tenants.ava._id, seed.tenants.zed._id])
})
afterAll(async () => {
  await second?.close()
  await first?.close()
})

async function login(key: keyof Seed['users'], password = PASSWORD): Promise<string> {
  const user = seed.users[key]
  const res = await api(first.url).login(user.email, password, { tenant: user.tenant })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.accessToken
}

async function refusedWithin(url: string, path: string, token: string, started: number): Promise<void> {
  await eventually(
    async () => (await api(url).get(path, { token })).status === 401,
    PROPAGATION_MS,
    `token refused on ${url}`,
    10
  )
  expect(Date.now() - started).toBeLessThan(USER_CACHE_TTL_MS)
}

describe('authenticated-user cache across API instances', () => {
  it('refuses a token on the second instance right after a password change on the first', async () => {
    expect(USER_CACHE_TTL_MS).toBeGreaterThan(PROPAGATION_MS * 3)
    const user = seed.users.avaHost
    const token = await login('avaHost')
    const path = `/users/${user._id}`
    // Warm: the second instance has served the user from its cache.
    for (let i = 0; i < 3; i++) expect((await api(second.url).get(path, { token })).status).toBe(200)

    const started = Date.now()
    const change = await api(first.url).patch(
      path,
      { password: 'a-new-password-123', currentPassword: PASSWORD },
      { token }
    )
    expect(change.status, JSON.stringify(change.body)).toBe(200)
    await refusedWithin(second.url, path, token, started)
    // The new password's token works on both.
    const fresh = await api(first.url).login(user.email, 'a-new-password-123', { tenant: user.tenant })
    expect((await api(second.url).get(path, { token: fresh.body.accessToken })).status).toBe(200)
  })

  it('refuses a token on the second instance right after a role change made on the first', async () => {
    const user = seed.users.avaRep
    const token = await login('avaRep')
    const admin = await login('platformAdmin')
    const path = `/users/${user._id}`
    for (let i = 0; i < 3; i++) expect((await api(second.url).get(path, { token })).status).toBe(200)

    const started = Date.now()
    const res = await api(first.url).post(
      '/users',
      { userId: user._id, role: 'host', tenantIds: [seed.tenants.ava._id] },
      { token: admin, serviceMethod: 'setAccess' }
    )
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    await refusedWithin(second.url, path, token, started)
  })

  it('shows a profile change made on the first instance on the second at once', async () => {
    const user = seed.users.zedHost
    const token = await login('zedHost')
    // A JWT authentication answers the user the strategy resolved: the cached entity.
    const resolvedName = async () =>
      (await api(second.url).post('/authentication', { strategy: 'jwt', accessToken: token })).body?.user
        ?.name
    const before = await resolvedName()
    expect(before).toBeTypeOf('string')
    expect(await resolvedName()).toBe(before)
    expect(
      (await api(first.url).patch(`/users/${user._id}`, { name: 'Zed Renamed' }, { token })).status
    ).toBe(200)
    await eventually(async () => (await resolvedName()) === 'Zed Renamed', PROPAGATION_MS, 'renamed user')
  })
})

describe('tenant cache across API instances', () => {
  it('answers 404 for a plugin on the second instance right after the first disables it', async () => {
    const admin = await login('platformAdmin')
    const notes = () => api(second.url).get('/notes/notes', { token: admin, tenant: 'ava-fit' })
    // Warm: the second instance has resolved the tenant (plugin enabled) from its directory cache.
    for (let i = 0; i < 3; i++) expect((await notes()).status).toBe(200)
    const res = await api(first.url).post(
      '/tenants',
      { tenantId: seed.tenants.ava._id, plugin: 'notes' },
      { token: admin, serviceMethod: 'disablePlugin' }
    )
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    await eventually(async () => (await notes()).status === 404, PROPAGATION_MS, 'plugin disabled', 10)
  })

  it('resolves a custom domain on the second instance right after the first claims it', async () => {
    const admin = await login('platformAdmin')
    const notesByHost = () =>
      api(second.url).get('/notes/notes', { token: admin, headers: { host: 'zed.example.test' } })
    // Unclaimed host: no tenant (cached as such on the second instance), so a tenant-scoped call is refused.
    for (let i = 0; i < 3; i++) expect((await notesByHost()).status).toBe(400)
    const res = await api(first.url).patch(
      `/tenants/${seed.tenants.zed._id}`,
      { domains: ['zed.example.test'] },
      { token: admin }
    )
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    await eventually(async () => (await notesByHost()).status === 200, PROPAGATION_MS, 'domain resolved', 10)
  })
})
