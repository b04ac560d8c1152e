// The shared client against the real API over HTTP and Socket.io: typed REST calls with tenant and token,
// custom methods, field-level errors, the public site profile, the plugin catalogue, and live events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRestClient, loginWithPassword, toApiError } from '../../src/client/index.ts'
import { createSocketClient, type SocketClient } from '../../src/client/socket-client.ts'
import {
  type RunningApi,
  seedAgency,
  seedStaff,
  seedTenant,
  startPlatformApi
} from './support/platform-api.ts'

let api: RunningApi
let agencyId = ''
const tenantIds: Record<string, string> = {}
const sockets: SocketClient[] = []

beforeAll(async () => {
  api = await startPlatformApi('web-client')
  agencyId = (await seedAgency(api.app, 'client-agency'))._id
  for (const slug of ['one-brand', 'two-brand']) {
    tenantIds[slug] = (
      await seedTenant(api.app, agencyId, {
        slug,
        name: slug,
        primary: '#1d4ed8',
        headline: slug,
        plugins: ['masterclasses']
      })
    )._id
  }
  await seedStaff(api.app, {
    email: 'admin@client.test',
    password: 'admin-password-1',
    role: 'agency_admin',
    agencyId
  })
  await seedStaff(api.app, {
    email: 'host@one.test',
    password: 'host-password-1',
    role: 'host',
    agencyId,
    tenantIds: [tenantIds['one-brand']]
  })
}, 120_000)

afterAll(async () => {
  for (const socket of sockets) socket.close()
  await api?.close()
})

describe('REST client', () => {
  it('reads the addressed tenant’s public site profile without a token, and 404s unknown tenants', async () => {
    const site = (await createRestClient({ apiUrl: api.url, tenant: 'one-brand' })
      .service('site')
      .find()) as any
    expect(site).toMatchObject({ slug: 'one-brand', enabledPlugins: ['masterclasses'] })
    expect(site.theme.colors.primary).toBe('#1d4ed8')
    expect(JSON.stringify(site)).not.toContain('secretsEncrypted')
    const missing = await createRestClient({ apiUrl: api.url, tenant: 'no-such-brand' })
      .service('site')
      .find()
      .catch(toApiError)
    expect(missing).toMatchObject({ status: 404, code: 'TENANT_UNKNOWN' })
  })

  it('keeps each client’s tenant and token to itself when many run at once (one shared app underneath)', async () => {
    const { accessToken } = await loginWithPassword(
      createRestClient({ apiUrl: api.url }),
      'admin@client.test',
      'admin-password-1'
    )
    const calls = Array.from({ length: 20 }, (_, index) => {
      const slug = index % 2 === 0 ? 'one-brand' : 'two-brand'
      const token = index % 4 < 2 ? accessToken : undefined
      const client = createRestClient({ apiUrl: api.url, tenant: slug, accessToken: token })
      return Promise.all([
        client.service('site').find() as Promise<any>,
        client
          .service('plugin-catalog')
          .find()
          .then(
            () => 'staff',
            (error) => toApiError(error).status
          )
      ]).then(([site, catalog]) => ({ slug, site: site.slug, token: Boolean(token), catalog }))
    })
    for (const answer of await Promise.all(calls)) {
      expect(answer.site).toBe(answer.slug)
      expect(answer.catalog).toBe(answer.token ? 'staff' : 401)
    }
  })

  it('lists plugin config schemas for staff only', async () => {
    const anonymous = await createRestClient({ apiUrl: api.url })
      .service('plugin-catalog')
      .find()
      .catch(toApiError)
    expect((anonymous as any).status).toBe(401)
    const client = createRestClient({ apiUrl: api.url })
    const { accessToken } = await loginWithPassword(client, 'admin@client.test', 'admin-password-1')
    const catalog = (await createRestClient({ apiUrl: api.url, accessToken })
      .service('plugin-catalog')
      .find()) as any[]
    const masterclasses = catalog.find((entry) => entry.name === 'masterclasses')
    expect(masterclasses.settingsSchema.properties.maxListed).toMatchObject({ type: 'integer', maximum: 24 })
  })

  it('calls custom methods and maps refused input to field errors', async () => {
    const { accessToken } = await loginWithPassword(
      createRestClient({ apiUrl: api.url }),
      'admin@client.test',
      'admin-password-1'
    )
    const client = createRestClient({ apiUrl: api.url, accessToken })
    const refused = await (client.service('tenants') as any)
      .enablePlugin({
        tenantId: tenantIds['two-brand'],
        plugin: 'masterclasses',
        settings: { maxListed: 99 }
      })
      .catch(toApiError)
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect(refused.fields['settings.maxListed']).toMatch(/<= 24/)
    const disabled = await (client.service('tenants') as any).disablePlugin({
      tenantId: tenantIds['two-brand'],
      plugin: 'masterclasses'
    })
    expect(disabled.plugins).toEqual([])
  })

  it('reports an unreachable API as a 503-like ApiError', async () => {
    const error = await createRestClient({ apiUrl: 'http://127.0.0.1:9' })
      .service('site')
      .find()
      .catch(toApiError)
    expect(error).toMatchObject({ status: 503, code: 'API_UNREACHABLE' })
  })
})

describe('Socket.io client', () => {
  it('receives its own tenant’s masterclass events and field errors, never another tenant’s', async () => {
    const { accessToken } = await loginWithPassword(
      createRestClient({ apiUrl: api.url }),
      'admin@client.test',
      'admin-password-1'
    )
    const one = createSocketClient({ apiUrl: api.url, tenant: tenantIds['one-brand'], accessToken })
    const two = createSocketClient({ apiUrl: api.url, tenant: tenantIds['two-brand'], accessToken })
    sockets.push(one, two)
    await Promise.all([one.ready, two.ready])
    const seenByOne: string[] = []
    const seenByTwo: string[] = []
    one.client.service('masterclasses/masterclasses').on('created', (data: any) => seenByOne.push(data.title))
    two.client.service('masterclasses/masterclasses').on('created', (data: any) => seenByTwo.push(data.title))

    const invalid = await one.client
      .service('masterclasses/masterclasses')
      .create({ title: '' } as any)
      .catch(toApiError)
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect(Object.keys(invalid.fields)).toEqual(expect.arrayContaining(['title', 'description', 'startTime']))

    const start = Date.now() + 86_400_000
    await one.client.service('masterclasses/masterclasses').create({
      title: 'Only for one',
      description: 'd',
      hostId: '0123456789abcdef01234567',
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + 3_600_000).toISOString(),
      price: { amount: 0, currency: 'EUR' },
      maxAttendees: 10
    })
    await expect.poll(() => seenByOne).toEqual(['Only for one'])
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(seenByTwo).toEqual([])
  })
})
