// Tenants over real HTTP: slug and domain rules, brand theme validation, per-plugin settings and secrets
// (validated, encrypted at rest, never returned), plugin events, and tenant resolution from Host/X-Tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerService } from '../../src/app/register-service.ts'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { api } from '../auth/support/http-client.ts'
import { notesManifest } from '../auth/support/notes-fixture.ts'
import { PASSWORD, type Seed, seedAccess } from '../auth/support/seed.ts'

let t: TestApp
let seed: Seed
let admin: string
const client = () => api(t.url)

beforeAll(async () => {
  t = await startTestApp('tenancy-tenants', {
    plugins: [notesManifest, { name: 'reports', version: '1.0.0', description: 'x', dependsOn: ['notes'] }],
    register: (app) =>
      registerService(app, {
        path: 'tenant-echo',
        service: { find: async (params: any) => ({ tenant: params.tenant ?? null }) } as any,
        methods: ['find'],
        access: { find: 'public' },
        tenantScoped: false
      })
  })
  seed = await seedAccess(t.app)
  admin = (await client().login(seed.users.northAdmin.email, PASSWORD)).body.accessToken
})
afterAll(() => t?.close())

const createTenant = (body: Record<string, unknown>) =>
  client().post('/tenants', { name: 'Brand', agencyId: seed.agencies.north, ...body }, { token: admin })
const paths = (res: any) => res.body.errors.map((error: any) => error.path).sort()

describe('tenant creation', () => {
  it('creates a tenant with lowercase domains, theme and legal details', async () => {
    const res = await createTenant({
      slug: 'lena-yoga',
      domains: ['Yoga.Lena.TEST'],
      theme: {
        colors: { primary: '#112233', background: '#ffffff', text: '#000000' },
        fonts: { heading: 'Inter', body: 'Inter' },
        logoUrl: 'https://cdn.lena.test/logo.svg'
      },
      legal: {
        companyName: 'Lena GmbH',
        address: { line1: 'Main 1', postalCode: '10115', city: 'Berlin', country: 'DE' },
        vatId: 'DE123456789'
      }
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ slug: 'lena-yoga', domains: ['yoga.lena.test'], plugins: [] })
    expect(t.events.emitted).toContainEqual(
      expect.objectContaining({
        name: 'tenant.created',
        payload: expect.objectContaining({ slug: 'lena-yoga' })
      })
    )
  })

  it.each([
    ['a non-kebab slug', { slug: 'Lena Yoga' }, ['slug']],
    ['a reserved slug', { slug: 'api' }, ['slug']],
    ['an invalid hostname', { slug: 'ok-slug', domains: ['not a host'] }, ['domains.0']],
    [
      'bad theme colors and missing fonts',
      { slug: 'ok-slug', theme: { colors: { primary: 'red', background: '#fff', text: '#000' } } },
      ['theme.colors.primary', 'theme.fonts']
    ],
    ['unknown fields', { slug: 'ok-slug', enabledPlugins: [{ name: 'notes' }] }, ['enabledPlugins']]
  ])('refuses %s with field errors', async (_name, body, expected) => {
    const res = await createTenant(body)
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(expected)
  })

  it('refuses a taken slug (409) and a domain held by another tenant (409)', async () => {
    expect((await createTenant({ slug: 'ava-fit' })).status).toBe(409)
    const res = await createTenant({ slug: 'copycat', domains: ['yoga.lena.test'] })
    expect(res.status).toBe(409)
    expect(res.body.data.field).toBe('domains')
    expect((await client().get('/tenants?slug=copycat', { token: admin })).body.total).toBe(0)
  })

  it('moves a domain between tenants once released', async () => {
    const lena = (await client().get('/tenants?slug=lena-yoga', { token: admin })).body.data[0]
    expect(
      (await client().patch(`/tenants/${lena._id}`, { domains: ['www.lena.test'] }, { token: admin })).status
    ).toBe(200)
    const res = await client().patch(
      `/tenants/${seed.tenants.ava._id}`,
      { domains: ['yoga.lena.test'] },
      { token: admin }
    )
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.domains).toEqual(['yoga.lena.test'])
  })
})

describe('plugin settings and secrets', () => {
  const enable = (body: Record<string, unknown>) =>
    client().post(
      '/tenants',
      { tenantId: seed.tenants.marco._id, plugin: 'notes', ...body },
      { token: admin, serviceMethod: 'enablePlugin' }
    )

  it('validates settings and secrets against the manifest schemas', async () => {
    const res = await enable({ settings: { color: 'blue', extra: 1 }, secrets: {} })
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(['secrets.apiKey', 'settings.color', 'settings.extra'])
    expect((await enable({ plugin: 'nope', settings: {} })).status).toBe(400)
  })

  it('refuses a plugin whose dependencies are not enabled', async () => {
    const res = await enable({ plugin: 'reports' })
    expect(res.status).toBe(400)
    expect(res.body.errors[0].message).toContain('notes')
  })

  it('encrypts secrets at rest and only says they are configured', async () => {
    const res = await enable({ settings: { color: '#00ff00' }, secrets: { apiKey: 'sk_live_marco_123' } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(JSON.stringify(res.body)).not.toContain('sk_live_marco_123')
    expect(res.body.plugins).toEqual([
      expect.objectContaining({
        name: 'notes',
        settings: { color: '#00ff00', maxNotes: 10 },
        secrets: { apiKey: { configured: true } }
      })
    ])
    const raw = await t.app.get('access').tenancy.Tenant.findById(seed.tenants.marco._id).lean().exec()
    const stored = raw!.enabledPlugins[0].secretsEncrypted.apiKey
    expect(stored).toMatch(/^v1:[0-9a-f]{8}:/)
    expect(JSON.stringify(raw)).not.toContain('sk_live_marco_123')
    expect(t.app.get('access').secretBox.decryptJson(stored)).toBe('sk_live_marco_123')
    const get = await client().get(`/tenants/${seed.tenants.marco._id}`, { token: admin })
    expect(JSON.stringify(get.body)).not.toContain('sk_live')
    expect(JSON.stringify(get.body)).not.toContain(stored)
    const enabledEvents = t.events.emitted.filter((event) => event.name === 'tenant.plugin.enabled')
    expect(enabledEvents).toEqual([
      expect.objectContaining({ payload: { tenantId: seed.tenants.marco._id, plugin: 'notes' } })
    ])
  })

  it('keeps secrets when only settings change, and emits no second enabled event', async () => {
    const res = await enable({ settings: { color: '#0000ff', maxNotes: 3 } })
    expect(res.status).toBe(200)
    const raw = await t.app.get('access').tenancy.Tenant.findById(seed.tenants.marco._id).lean().exec()
    expect(t.app.get('access').secretBox.decryptJson(raw!.enabledPlugins[0].secretsEncrypted.apiKey)).toBe(
      'sk_live_marco_123'
    )
    expect(t.events.emitted.filter((event) => event.name === 'tenant.plugin.enabled')).toHaveLength(1)
  })

  it('refuses to disable a plugin others depend on, and emits disabled otherwise', async () => {
    const dep = await client().post(
      '/tenants',
      { tenantId: seed.tenants.marco._id, plugin: 'reports' },
      { token: admin, serviceMethod: 'enablePlugin' }
    )
    expect(dep.status, JSON.stringify(dep.body)).toBe(200)
    const disable = (plugin: string) =>
      client().post(
        '/tenants',
        { tenantId: seed.tenants.marco._id, plugin },
        { token: admin, serviceMethod: 'disablePlugin' }
      )
    expect((await disable('notes')).status).toBe(409)
    expect((await disable('reports')).status).toBe(200)
    const res = await disable('notes')
    expect(res.status).toBe(200)
    expect(res.body.plugins).toEqual([])
    expect(t.events.emitted).toContainEqual(
      expect.objectContaining({
        name: 'tenant.plugin.disabled',
        payload: { tenantId: seed.tenants.marco._id, plugin: 'notes' }
      })
    )
  })

  it("refuses configuring another agency's tenant", async () => {
    const res = await client().post(
      '/tenants',
      {
        tenantId: seed.tenants.zed._id,
        plugin: 'notes',
        settings: { color: '#000000' },
        secrets: { apiKey: '12345678' }
      },
      { token: admin, serviceMethod: 'enablePlugin' }
    )
    expect(res.status).toBe(404)
  })
})

describe('tenant resolution', () => {
  const echo = (options: { host?: string; tenant?: string }) => client().get('/tenant-echo', options)

  it('resolves <slug>.<baseDomain> from Host', async () => {
    const res = await echo({ host: `ava-fit.localhost:${t.port}` })
    expect(res.status).toBe(200)
    expect(res.body.tenant).toMatchObject({
      id: seed.tenants.ava._id,
      slug: 'ava-fit',
      agencyId: seed.agencies.north
    })
  })

  it('resolves a custom domain, and follows domain changes at once', async () => {
    expect((await echo({ host: 'YOGA.lena.test' })).body.tenant?.slug).toBe('ava-fit')
    await client().patch(`/tenants/${seed.tenants.ava._id}`, { domains: ['fit.ava.test'] }, { token: admin })
    expect((await echo({ host: 'fit.ava.test' })).body.tenant?.slug).toBe('ava-fit')
    expect((await echo({ host: 'yoga.lena.test' })).body.tenant).toBeNull()
  })

  it('treats the base domain and platform subdomains as no tenant', async () => {
    expect((await echo({ host: 'localhost' })).body.tenant).toBeNull()
    expect((await echo({ host: 'api.localhost' })).body.tenant).toBeNull()
  })

  it('answers 404 TENANT_UNKNOWN for an unknown tenant subdomain or header', async () => {
    const host = await echo({ host: 'nobody.localhost' })
    expect(host.status).toBe(404)
    expect(host.body.data.code).toBe('TENANT_UNKNOWN')
    const header = await echo({ tenant: 'nobody' })
    expect(header.status).toBe(404)
    expect(header.body.data.code).toBe('TENANT_UNKNOWN')
  })

  it('takes X-Tenant (slug or id) over Host', async () => {
    expect((await echo({ tenant: 'money-marco', host: 'ava-fit.localhost' })).body.tenant.slug).toBe(
      'money-marco'
    )
    expect((await echo({ tenant: seed.tenants.zed._id })).body.tenant.slug).toBe('zed-cooks')
  })
})
