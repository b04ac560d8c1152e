// Each role's allowed and refused calls, table-driven over real HTTP: a plugin service (staff rules), an
// attendee-owned service (`own`), core's platform services, tenant membership and agency-wide views.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/access-test-app.ts'
import { api } from './support/http-client.ts'
import { enableNotes, notesManifest, registerNotesFixture } from './support/notes-fixture.ts'
import { confirmRegistration } from './support/registration-link.ts'
import { PASSWORD, type Seed, seedAccess } from './support/seed.ts'

let t: TestApp
let seed: Seed
const client = () => api(t.url)
const tokens: Record<string, string> = {}
type Actor = keyof Seed['users'] | 'anonymous' | 'secondFan'
let noteId: string

beforeAll(async () => {
  t = await startTestApp('auth-roles', { plugins: [notesManifest], register: registerNotesFixture })
  seed = await seedAccess(t.app)
  await enableNotes(t.app, [seed.tenants.ava._id, seed.tenants.marco._id, seed.tenants.zed._id])
  const second = await client().post(
    '/users',
    { email: 'second@mail.test', password: PASSWORD, name: 'Second' },
    { tenant: seed.tenants.ava.slug }
  )
  expect(second.status).toBe(201)
  // Its password works once the link mailed for the registration is redeemed.
  expect((await confirmRegistration(t.url, t.email, 'second@mail.test', seed.tenants.ava.slug)).status).toBe(
    201
  )
  for (const [key, user] of [
    ...Object.entries(seed.users),
    ['secondFan', { email: 'second@mail.test', tenant: seed.tenants.ava._id }]
  ] as [string, { email: string; tenant?: string }][]) {
    const res = await client().login(user.email, PASSWORD, { tenant: user.tenant })
    expect(res.status).toBe(201)
    tokens[key] = res.body.accessToken
  }
  const note = await client().post(
    '/notes/notes',
    { title: 'seed' },
    { token: tokens.avaHost, tenant: 'ava-fit' }
  )
  noteId = note.body._id
})
afterAll(() => t?.close())

function call(
  actor: Actor,
  method: string,
  path: string,
  body?: unknown,
  tenant: string | null = 'ava-fit',
  headers = {}
) {
  const options = {
    token: actor === 'anonymous' ? undefined : tokens[actor],
    tenant: tenant ?? undefined,
    headers
  }
  if (method === 'GET') return client().get(path, options)
  if (method === 'DELETE') return client().delete(path, options)
  if (method === 'PATCH') return client().patch(path, body, options)
  return client().post(path, body, options)
}

describe('plugin service with staff rules (notes/notes on tenant ava)', () => {
  const rows: [Actor, string, () => string, unknown, number][] = [
    ['platformAdmin', 'GET', () => '/notes/notes', undefined, 200],
    ['northAdmin', 'GET', () => '/notes/notes', undefined, 200],
    ['avaHost', 'GET', () => '/notes/notes', undefined, 200],
    ['avaRep', 'GET', () => '/notes/notes', undefined, 200],
    ['avaAttendee', 'GET', () => '/notes/notes', undefined, 200],
    ['anonymous', 'GET', () => '/notes/notes', undefined, 401],
    ['southAdmin', 'GET', () => '/notes/notes', undefined, 403],
    ['zedHost', 'GET', () => '/notes/notes', undefined, 403],
    ['marcoHost', 'GET', () => '/notes/notes', undefined, 403],
    ['marcoAttendee', 'GET', () => '/notes/notes', undefined, 403],
    ['platformAdmin', 'POST', () => '/notes/notes', { title: 'p' }, 201],
    ['northAdmin', 'POST', () => '/notes/notes', { title: 'n' }, 201],
    ['avaRep', 'POST', () => '/notes/notes', { title: 'r' }, 201],
    ['avaAttendee', 'POST', () => '/notes/notes', { title: 'a' }, 403],
    ['anonymous', 'POST', () => '/notes/notes', { title: 'x' }, 401],
    ['avaRep', 'DELETE', () => `/notes/notes/${noteId}`, undefined, 403],
    ['avaAttendee', 'PATCH', () => `/notes/notes/${noteId}`, { title: 'x' }, 403],
    ['avaHost', 'PATCH', () => `/notes/notes/${noteId}`, { title: 'edited' }, 200]
  ]
  it.each(rows)('%s %s %s → %i', async (actor, method, path, body, status) => {
    const res = await call(actor, method, path(), body)
    expect(res.status, JSON.stringify(res.body)).toBe(status)
  })

  it('answers 404 PLUGIN_DISABLED where the tenant has not enabled the plugin', async () => {
    await (t.app as any)
      .service('tenants')
      .disablePlugin({ tenantId: seed.tenants.marco._id, plugin: 'notes' })
    const res = await call('marcoHost', 'GET', '/notes/notes', undefined, 'money-marco')
    expect(res.status).toBe(404)
    expect(res.body.data.code).toBe('PLUGIN_DISABLED')
  })

  it('needs a tenant (400 TENANT_REQUIRED)', async () => {
    const res = await call('platformAdmin', 'GET', '/notes/notes', undefined, null)
    expect(res.status).toBe(400)
    expect(res.body.data.code).toBe('TENANT_REQUIRED')
  })
})

describe('attendee-owned service (notes/diary, own: ownerId)', () => {
  it('lets attendees create, and stamps them as owner whatever they send', async () => {
    const res = await call('avaAttendee', 'POST', '/notes/diary', {
      title: 'mine',
      ownerId: seed.users.avaHost._id
    })
    expect(res.status).toBe(201)
    expect(res.body.ownerId).toBe(seed.users.avaAttendee._id)
  })

  it("shows an attendee only their own entries and 404s another attendee's", async () => {
    const other = await call('secondFan', 'POST', '/notes/diary', { title: 'theirs' })
    expect(other.status).toBe(201)
    const list = await call('avaAttendee', 'GET', '/notes/diary')
    expect(list.status).toBe(200)
    const titles = list.body.map((entry: any) => entry.title)
    expect(titles).toContain('mine')
    expect(titles).not.toContain('theirs')
    expect((await call('avaAttendee', 'GET', `/notes/diary/${other.body._id}`)).status).toBe(404)
    expect(
      (await call('avaAttendee', 'PATCH', `/notes/diary/${other.body._id}`, { title: 'x' })).status
    ).toBe(404)
    expect((await call('avaAttendee', 'DELETE', `/notes/diary/${other.body._id}`)).status).toBe(404)
    expect((await call('secondFan', 'GET', `/notes/diary/${other.body._id}`)).body.title).toBe('theirs')
  })

  it('cannot be widened by an attendee through the query', async () => {
    const byTitle = await call('avaAttendee', 'GET', '/notes/diary?title[$in]=theirs&title[$in]=mine')
    expect(byTitle.status).toBe(200)
    expect(byTitle.body.map((entry: any) => entry.title)).toEqual(['mine'])
    const theirs = await call('secondFan', 'GET', '/notes/diary')
    const otherOwner = theirs.body[0].ownerId
    expect(otherOwner).not.toBe(seed.users.avaAttendee._id)
    const byOwner = await call('avaAttendee', 'GET', `/notes/diary?ownerId=${otherOwner}`)
    expect(byOwner.status).toBe(400)
    const byOr = await call('avaAttendee', 'GET', `/notes/diary?$or[0][ownerId]=${otherOwner}`)
    expect(byOr.status).toBe(400)
  })

  it('lets the listed staff role read tenant-wide and refuses unlisted roles', async () => {
    const list = await call('avaHost', 'GET', '/notes/diary')
    expect(list.status).toBe(200)
    expect(list.body.map((entry: any) => entry.title)).toEqual(expect.arrayContaining(['mine', 'theirs']))
    expect((await call('avaRep', 'GET', '/notes/diary')).status).toBe(403)
    expect((await call('avaHost', 'POST', '/notes/diary', { title: 'h' })).status).toBe(403)
  })
})

describe('platform services', () => {
  const rows: [Actor, string, () => string, () => unknown, number][] = [
    ['avaHost', 'GET', () => '/agencies', () => undefined, 403],
    [
      'avaAttendee',
      'POST',
      () => '/tenants',
      () => ({ slug: 'x-brand', name: 'X', agencyId: seed.agencies.north }),
      403
    ],
    [
      'northAdmin',
      'POST',
      () => '/tenants',
      () => ({ slug: 'south-brand', name: 'S', agencyId: seed.agencies.south }),
      403
    ],
    [
      'northAdmin',
      'POST',
      () => '/tenants',
      () => ({ slug: 'north-brand', name: 'N', agencyId: seed.agencies.north }),
      201
    ],
    ['southAdmin', 'GET', () => `/tenants/${seed.tenants.ava._id}`, () => undefined, 404],
    ['avaHost', 'GET', () => `/tenants/${seed.tenants.ava._id}`, () => undefined, 200],
    ['avaHost', 'PATCH', () => `/tenants/${seed.tenants.ava._id}`, () => ({ name: 'Mine now' }), 403],
    ['avaHost', 'DELETE', () => `/users/${seed.users.avaAttendee._id}`, () => undefined, 403],
    ['platformAdmin', 'POST', () => '/agencies', () => ({ slug: 'new-agency', name: 'New' }), 201],
    ['northAdmin', 'POST', () => '/agencies', () => ({ slug: 'other-agency', name: 'Other' }), 403]
  ]
  it.each(rows)('%s %s %s → %i', async (actor, method, path, body, status) => {
    const res = await call(actor, method, path(), body(), null)
    expect(res.status, JSON.stringify(res.body)).toBe(status)
  })

  it("lists only an agency admin's own agency and tenants", async () => {
    const agencies = await call('northAdmin', 'GET', '/agencies', undefined, null)
    expect(agencies.body.data.map((agency: any) => agency._id)).toEqual([seed.agencies.north])
    const tenants = await call('northAdmin', 'GET', '/tenants', undefined, null)
    expect(tenants.body.data.map((tenant: any) => tenant.slug)).not.toContain('zed-cooks')
    expect(tenants.body.data.map((tenant: any) => tenant.slug)).toContain('ava-fit')
  })
})

describe('agency-wide read views (X-Tenant-Scope: agency)', () => {
  const agencyView = { 'x-tenant-scope': 'agency' }

  it("gives an agency admin reads across its agency's tenants only", async () => {
    await enableNotes(t.app, [seed.tenants.marco._id])
    const marcoNote = await call('marcoHost', 'POST', '/notes/notes', { title: 'from marco' }, 'money-marco')
    expect(marcoNote.status).toBe(201)
    const zedNote = await call('zedHost', 'POST', '/notes/notes', { title: 'from zed' }, 'zed-cooks')
    expect(zedNote.status).toBe(201)
    const res = await call('northAdmin', 'GET', '/notes/notes', undefined, null, agencyView)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const titles = res.body.map((note: any) => note.title)
    expect(titles).toEqual(expect.arrayContaining(['edited', 'from marco']))
    expect(titles).not.toContain('from zed')
  })

  it('refuses writes and non-agency-admins', async () => {
    expect((await call('northAdmin', 'POST', '/notes/notes', { title: 'x' }, null, agencyView)).status).toBe(
      403
    )
    expect((await call('avaHost', 'GET', '/notes/notes', undefined, null, agencyView)).status).toBe(403)
  })
})
