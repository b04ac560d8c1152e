// Tenant brand copy over real HTTP: a malformed locale, timezone or currency is a 400 naming the field,
// on creation and on change, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { api } from '../auth/support/http-client.ts'
import { PASSWORD, type Seed, seedAccess } from '../auth/support/seed.ts'

let t: TestApp
let seed: Seed
let admin: string
const client = () => api(t.url)

const theme = (copy: Record<string, string>) => ({
  colors: { primary: '#112233', background: '#ffffff', text: '#000000' },
  fonts: { heading: 'Inter', body: 'Inter' },
  copy
})
const paths = (res: any) => res.body.errors.map((error: any) => error.path).sort()

beforeAll(async () => {
  t = await startTestApp('tenancy-theme-copy')
  seed = await seedAccess(t.app)
  admin = (await client().login(seed.users.northAdmin.email, PASSWORD)).body.accessToken
})
afterAll(() => t?.close())

describe('tenant brand copy settings', () => {
  it('refuses a malformed locale on creation with a field error', async () => {
    const res = await client().post(
      '/tenants',
      {
        slug: 'copy-check',
        name: 'Brand',
        agencyId: seed.agencies.north,
        theme: theme({ headline: 'Hi', locale: 'en"><script>alert(1)</script>' })
      },
      { token: admin }
    )
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(['theme.copy.locale'])
    expect((await client().get('/tenants?slug=copy-check', { token: admin })).body.total).toBe(0)
  })

  it('refuses malformed settings on change, each as its field, and keeps the stored theme', async () => {
    const id = seed.tenants.ava._id
    const ok = await client().patch(
      `/tenants/${id}`,
      { theme: theme({ locale: 'en-US', timezone: 'America/Los_Angeles', currency: 'USD' }) },
      { token: admin }
    )
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    const res = await client().patch(
      `/tenants/${id}`,
      { theme: theme({ locale: 'en US', timezone: 'Los Angeles time', currency: 'dollars' }) },
      { token: admin }
    )
    expect(res.status).toBe(400)
    expect(paths(res)).toEqual(['theme.copy.currency', 'theme.copy.locale', 'theme.copy.timezone'])
    const stored = await client().get(`/tenants/${id}`, { token: admin })
    expect(stored.body.theme.copy).toMatchObject({ locale: 'en-US', currency: 'USD' })
  })
})
