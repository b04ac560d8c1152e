// The plugin-enabled guard over real HTTP and real Socket.io: agency-wide views see only tenants that
// enabled the plugin, and a plugin disabled after a socket connected stops answering on that socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { api } from '../auth/support/http-client.ts'
import { enableNotes, notesManifest, registerNotesFixture } from '../auth/support/notes-fixture.ts'
import { PASSWORD, type Seed, seedAccess } from '../auth/support/seed.ts'
import { connectSocket, type TestSocket } from '../auth/support/socket-client.ts'

let t: TestApp
let seed: Seed
const tokens: Record<string, string> = {}
const sockets: TestSocket[] = []
const agencyView = { 'x-tenant-scope': 'agency' }

beforeAll(async () => {
  t = await startTestApp('plugin-enabled-guard', { plugins: [notesManifest], register: registerNotesFixture })
  seed = await seedAccess(t.app)
  await enableNotes(t.app, [seed.tenants.ava._id, seed.tenants.marco._id])
  for (const key of ['northAdmin', 'avaHost', 'marcoHost'] as const) {
    const res = await api(t.url).login(seed.users[key].email, PASSWORD)
    expect(res.status).toBe(201)
    tokens[key] = res.body.accessToken
  }
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

const tenants = () => (t.app as any).service('tenants')

describe('plugin-enabled guard', () => {
  it('narrows an agency-wide view to the tenants that enabled the plugin; 404 when none has', async () => {
    const client = api(t.url)
    const ava = await client.post(
      '/notes/notes',
      { title: 'ava note' },
      { token: tokens.avaHost, tenant: 'ava-fit' }
    )
    const marco = await client.post(
      '/notes/notes',
      { title: 'marco note' },
      { token: tokens.marcoHost, tenant: 'money-marco' }
    )
    expect([ava.status, marco.status]).toEqual([201, 201])
    const before = await client.get('/notes/notes', { token: tokens.northAdmin, headers: agencyView })
    expect(before.status).toBe(200)
    expect(before.body.map((note: any) => note.title).sort()).toEqual(['ava note', 'marco note'])

    await tenants().disablePlugin({ tenantId: seed.tenants.marco._id, plugin: 'notes' })
    const narrowed = await client.get('/notes/notes', { token: tokens.northAdmin, headers: agencyView })
    expect(narrowed.status).toBe(200)
    expect(narrowed.body.map((note: any) => note.title)).toEqual(['ava note'])
    const hidden = await client.get(`/notes/notes/${marco.body._id}`, {
      token: tokens.northAdmin,
      headers: agencyView
    })
    expect(hidden.status).toBe(404)

    await tenants().disablePlugin({ tenantId: seed.tenants.ava._id, plugin: 'notes' })
    const none = await client.get('/notes/notes', { token: tokens.northAdmin, headers: agencyView })
    expect(none.status).toBe(404)
    expect(none.body).toMatchObject({ data: { code: 'PLUGIN_DISABLED' } })
    await enableNotes(t.app, [seed.tenants.ava._id, seed.tenants.marco._id])
  })

  it('stops answering on an open socket once the tenant disables the plugin, and resumes on enable', async () => {
    const socket = await connectSocket(t.url, { tenant: 'ava-fit' })
    sockets.push(socket)
    await socket.call('create', 'authentication', { strategy: 'jwt', accessToken: tokens.avaHost })
    const found = await socket.call<any[]>('find', 'notes/notes', {})
    expect(found.length).toBeGreaterThan(0)

    await tenants().disablePlugin({ tenantId: seed.tenants.ava._id, plugin: 'notes' })
    await expect(socket.call('find', 'notes/notes', {})).rejects.toMatchObject({
      code: 404,
      data: { code: 'PLUGIN_DISABLED' }
    })
    await expect(socket.call('create', 'notes/notes', { title: 'after disable' })).rejects.toMatchObject({
      code: 404
    })
    await enableNotes(t.app, [seed.tenants.ava._id])
    const titles = (await socket.call<any[]>('find', 'notes/notes', {})).map((note) => note.title)
    expect(titles).toContain('ava note')
    expect(titles).not.toContain('after disable')
  })
})
