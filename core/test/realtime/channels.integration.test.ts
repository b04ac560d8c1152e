// Realtime over real Socket.io connections: nothing is published unless routed, staff/attendee/room/owner
// audiences stay inside the event's tenant, a demoted user's socket goes quiet at once, tenants are
// resolved at handshake and switched only through the authorized tenant-selection call.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Application } from '../../src/app/declarations.ts'
import { registerService } from '../../src/app/register-service.ts'
import { joinResourceRoom } from '../../src/realtime/resource-rooms.ts'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { api } from '../auth/support/http-client.ts'
import { enableNotes, notesManifest, registerNotesFixture } from '../auth/support/notes-fixture.ts'
import { PASSWORD, type Seed, seedAccess } from '../auth/support/seed.ts'
import { connectSocket, pause, type TestSocket, waitFor } from '../auth/support/socket-client.ts'

let t: TestApp
let seed: Seed
const tokens: Record<string, string> = {}
const sockets: TestSocket[] = []

/** In-memory tenant-scoped fixtures: one unrouted service, one routed to resource rooms. */
function registerRealtimeFixtures(app: Application): void {
  const stamp = (data: any, params: any) => ({
    _id: randomBytes(6).toString('hex'),
    ...data,
    tenantId: params.tenant.id
  })
  registerService(app, {
    path: 'quiet',
    service: { create: async (data: any, params: any) => stamp(data, params) } as any,
    methods: ['create'],
    access: { create: 'authenticated' }
  })
  registerService(app, {
    path: 'comments',
    service: { create: async (data: any, params: any) => stamp(data, params) } as any,
    methods: ['create'],
    access: { create: 'authenticated' },
    realtime: [{ resourceField: 'noteId', channel: 'note' }]
  })
  registerService(app, {
    path: 'rooms',
    service: {
      create: async (data: any, params: any) => ({
        room: await joinResourceRoom(app, params.connection, params.tenant.id, 'note', String(data.noteId))
      })
    } as any,
    methods: ['create'],
    access: { create: 'authenticated' }
  })
}

beforeAll(async () => {
  t = await startTestApp('realtime-channels', {
    plugins: [notesManifest],
    register: (app) => {
      registerNotesFixture(app)
      registerRealtimeFixtures(app)
    }
  })
  seed = await seedAccess(t.app)
  await enableNotes(t.app, [seed.tenants.ava._id, seed.tenants.marco._id, seed.tenants.zed._id])
  for (const [key, user] of Object.entries(seed.users)) {
    const res = await api(t.url).login(user.email, PASSWORD, { tenant: user.tenant })
    expect(res.status).toBe(201)
    tokens[key] = res.body.accessToken
  }
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

async function socketOf(key: keyof Seed['users'] | null, tenant?: string): Promise<TestSocket> {
  const socket = await connectSocket(t.url, tenant ? { tenant } : {})
  sockets.push(socket)
  if (key) await socket.call('create', 'authentication', { strategy: 'jwt', accessToken: tokens[key] })
  return socket
}

const eventsAbout = (socket: TestSocket, id: string) =>
  socket.received.filter((event) => event.data?._id === id)

async function createNote(tenant: string, key: keyof Seed['users'] = 'platformAdmin') {
  const res = await api(t.url).post(
    '/notes/notes',
    { title: `n-${Math.random()}` },
    { token: tokens[key], tenant }
  )
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

describe('default: nothing is published', () => {
  it('sends events of a service without an audience to nobody', async () => {
    const host = await socketOf('avaHost', 'ava-fit')
    const admin = await socketOf('platformAdmin', 'ava-fit')
    const created = await host.call('create', 'quiet', { text: 'hello' })
    await pause(250)
    expect(eventsAbout(host, created._id)).toEqual([])
    expect(eventsAbout(admin, created._id)).toEqual([])
  })
})

describe('tenant-staff audience', () => {
  it("reaches the tenant's staff and nobody else", async () => {
    const host = await socketOf('avaHost', 'ava-fit')
    const rep = await socketOf('avaRep', 'ava-fit')
    const agencyAdmin = await socketOf('northAdmin') // no tenant selected: joins every tenant of its agency
    const attendee = await socketOf('avaAttendee', 'ava-fit')
    const otherHost = await socketOf('marcoHost', 'money-marco')
    const otherAgency = await socketOf('southAdmin')
    const platformAdmin = await socketOf('platformAdmin') // no tenant selected: joins nothing
    const anonymous = await socketOf(null, 'ava-fit')
    const note = await createNote('ava-fit')
    await waitFor(() => eventsAbout(host, note._id).length > 0)
    await pause(200)
    for (const socket of [host, rep, agencyAdmin]) {
      expect(eventsAbout(socket, note._id).map((event) => event.event)).toEqual(['notes/notes created'])
    }
    for (const socket of [attendee, otherHost, otherAgency, platformAdmin, anonymous]) {
      expect(eventsAbout(socket, note._id)).toEqual([])
    }
  })
})

describe('tenant selection', () => {
  it('switches a dashboard socket to an authorized tenant only', async () => {
    const admin = await socketOf('platformAdmin')
    const selected = await admin.call('create', 'tenant-selection', { tenant: 'money-marco' })
    expect(selected.tenant.slug).toBe('money-marco')
    const marcoNote = await createNote('money-marco')
    await waitFor(() => eventsAbout(admin, marcoNote._id).length > 0)

    const host = await socketOf('avaHost', 'ava-fit')
    await expect(host.call('create', 'tenant-selection', { tenant: 'zed-cooks' })).rejects.toMatchObject({
      code: 403,
      data: { code: 'FORBIDDEN' }
    })
    await expect(host.call('create', 'tenant-selection', { tenant: 'no-such-brand' })).rejects.toMatchObject({
      code: 404
    })
    const zedNote = await createNote('zed-cooks')
    const avaNote = await createNote('ava-fit')
    await waitFor(() => eventsAbout(host, avaNote._id).length > 0)
    expect(eventsAbout(host, zedNote._id)).toEqual([])
  })

  it("agency scope: an agency admin's socket hears every tenant of its agency, never another agency's", async () => {
    const admin = await socketOf('northAdmin', 'ava-fit')
    const selected = await admin.call('create', 'tenant-selection', { tenant: 'ava-fit', scope: 'agency' })
    expect(selected).toMatchObject({ tenant: { slug: 'ava-fit' }, scope: 'agency' })
    const host = await socketOf('avaHost', 'ava-fit')
    const [ava, marco, zed] = [
      await createNote('ava-fit'),
      await createNote('money-marco'),
      await createNote('zed-cooks')
    ]
    await waitFor(() => eventsAbout(admin, marco._id).length > 0 && eventsAbout(host, ava._id).length > 0)
    await pause(250)
    expect(eventsAbout(admin, ava._id).map((event) => event.event)).toEqual(['notes/notes created'])
    expect(eventsAbout(admin, marco._id).map((event) => event.event)).toEqual(['notes/notes created'])
    expect(eventsAbout(admin, zed._id)).toEqual([])
    // A host of tenant A stays in A.
    expect(eventsAbout(host, marco._id)).toEqual([])
    expect(eventsAbout(host, zed._id)).toEqual([])

    // Calls keep going to the selected tenant; selecting another tenant of the agency keeps the scope.
    const created = await admin.call('create', 'quiet', { text: 'in marco' })
    expect(created.tenantId).toBe(seed.tenants.ava._id)
    await admin.call('create', 'tenant-selection', { tenant: 'money-marco', scope: 'agency' })
    expect((await admin.call('create', 'quiet', { text: 'in marco' })).tenantId).toBe(seed.tenants.marco._id)
    const avaAgain = await createNote('ava-fit')
    await waitFor(() => eventsAbout(admin, avaAgain._id).length > 0)

    // Back to the tenant scope: the other tenants of the agency go quiet.
    await admin.call('create', 'tenant-selection', { tenant: 'ava-fit' })
    const [avaLast, marcoLast] = [await createNote('ava-fit'), await createNote('money-marco')]
    await waitFor(() => eventsAbout(admin, avaLast._id).length > 0)
    await pause(250)
    expect(eventsAbout(admin, marcoLast._id)).toEqual([])
  })

  it('agency scope: only for agency admins, and only from a tenant of their own agency', async () => {
    const host = await socketOf('avaHost', 'ava-fit')
    await expect(
      host.call('create', 'tenant-selection', { tenant: 'ava-fit', scope: 'agency' })
    ).rejects.toMatchObject({ code: 403, data: { code: 'FORBIDDEN' } })
    const southAdmin = await socketOf('southAdmin')
    await expect(
      southAdmin.call('create', 'tenant-selection', { tenant: 'ava-fit', scope: 'agency' })
    ).rejects.toMatchObject({ code: 403 })
    await expect(
      southAdmin.call('create', 'tenant-selection', { tenant: 'zed-cooks', scope: 'everything' })
    ).rejects.toMatchObject({ code: 400, data: { code: 'VALIDATION_FAILED' }, errors: [{ path: 'scope' }] })
    // The refused host heard nothing of the agency's other tenants.
    const marco = await createNote('money-marco')
    await pause(250)
    expect(eventsAbout(host, marco._id)).toEqual([])
  })

  it('refuses a socket handshake for an unknown tenant', async () => {
    await expect(connectSocket(t.url, { tenant: 'ghost-brand' })).rejects.toThrow(/Unknown tenant/)
  })
})

describe('access changes', () => {
  it("takes a demoted user's open socket out of the tenant's channels immediately", async () => {
    const rep = await socketOf('avaRep', 'ava-fit')
    const before = await createNote('ava-fit')
    await waitFor(() => eventsAbout(rep, before._id).length > 0)

    const demoted = await api(t.url).post(
      '/users',
      { userId: seed.users.avaRep._id, role: 'sales_rep', tenantIds: [seed.tenants.marco._id] },
      { token: tokens.northAdmin, serviceMethod: 'setAccess' }
    )
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200)
    const after = await createNote('ava-fit')
    await pause(300)
    expect(eventsAbout(rep, after._id)).toEqual([])
    // Its token is revoked as well: the open socket cannot call anything any more.
    await expect(rep.call('find', 'notes/notes', {})).rejects.toMatchObject({ code: 401 })
  })
})

describe('resource rooms', () => {
  it('routes resource events only to connections that joined that resource in that tenant', async () => {
    const inRoom = await socketOf('avaAttendee', 'ava-fit')
    const outside = await socketOf('avaHost', 'ava-fit')
    const joined = await inRoom.call('create', 'rooms', { noteId: 'n1' })
    expect(joined.room).toBe(`tenants/${seed.tenants.ava._id}/rooms/note:n1`)
    const forN1 = await outside.call('create', 'comments', { noteId: 'n1', text: 'hi' })
    const forN2 = await outside.call('create', 'comments', { noteId: 'n2', text: 'other' })
    await waitFor(() => eventsAbout(inRoom, forN1._id).length > 0)
    await pause(200)
    expect(eventsAbout(inRoom, forN2._id)).toEqual([])
    expect(eventsAbout(outside, forN1._id)).toEqual([])

    // The same resource id in another tenant is another room.
    const marcoComment = await (await socketOf('marcoHost', 'money-marco')).call('create', 'comments', {
      noteId: 'n1',
      text: 'x'
    })
    await pause(200)
    expect(eventsAbout(inRoom, marcoComment._id)).toEqual([])
  })

  it('refuses to put a connection into a room of a tenant it does not belong to', async () => {
    const anonymous = await socketOf(null, 'ava-fit')
    await expect(
      joinResourceRoom(
        t.app,
        { tenant: { id: seed.tenants.ava._id } } as any,
        seed.tenants.zed._id,
        'note',
        'n1'
      )
    ).rejects.toMatchObject({ code: 403 })
    await expect(
      joinResourceRoom(
        t.app,
        { user: { _id: 'u', role: 'host', tenantIds: [seed.tenants.ava._id] } } as any,
        seed.tenants.marco._id,
        'note',
        'n1'
      )
    ).rejects.toMatchObject({ code: 403 })
    anonymous.close()
  })
})

describe('access changes across API processes', () => {
  it('takes the user out of channels on another process too (Redis broadcast)', async () => {
    const second = await startTestApp('realtime-second', {
      plugins: [notesManifest],
      register: registerNotesFixture,
      config: {
        mongoUri: t.config.mongoUri,
        queuePrefix: t.config.queuePrefix,
        jwtSecret: t.config.jwtSecret
      }
    })
    let socket: TestSocket | undefined
    try {
      const login = await api(second.url).login(seed.users.avaHost.email, PASSWORD)
      socket = await connectSocket(second.url, { tenant: 'ava-fit' })
      await socket.call('create', 'authentication', { strategy: 'jwt', accessToken: login.body.accessToken })
      const before = await api(second.url).post(
        '/notes/notes',
        { title: 'b' },
        { token: tokens.platformAdmin, tenant: 'ava-fit' }
      )
      await waitFor(() => eventsAbout(socket!, before.body._id).length > 0)

      // The change happens on the first process; the socket lives on the second.
      const res = await api(t.url).post(
        '/users',
        { userId: seed.users.avaHost._id, role: 'host', tenantIds: [seed.tenants.marco._id] },
        { token: tokens.northAdmin, serviceMethod: 'setAccess' }
      )
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      await waitFor(
        () =>
          !second.app
            .channel(`tenants/${seed.tenants.ava._id}/staff`)
            .connections.some((c: any) => c.user?._id === seed.users.avaHost._id)
      )
      const after = await api(second.url).post(
        '/notes/notes',
        { title: 'a' },
        { token: tokens.platformAdmin, tenant: 'ava-fit' }
      )
      expect(after.status).toBe(201)
      await pause(300)
      expect(eventsAbout(socket!, after.body._id)).toEqual([])
    } finally {
      // Open sockets would keep the second server's close waiting.
      socket?.close()
      await second.close()
    }
  })
})

describe('events raised in another process', () => {
  it("reach this process's sockets in the event's tenant only, without echoing back", async () => {
    // A second app on the same database and queue prefix: the worker, or another API process.
    const other = await startTestApp('realtime-other', {
      plugins: [notesManifest],
      register: (app) => {
        registerNotesFixture(app)
        registerRealtimeFixtures(app)
      },
      config: {
        mongoUri: t.config.mongoUri,
        queuePrefix: t.config.queuePrefix,
        jwtSecret: t.config.jwtSecret
      }
    })
    try {
      // Earlier tests moved avaHost and avaRep out of ava-fit: watch as the platform admin.
      const host = await socketOf('platformAdmin', 'ava-fit')
      const otherTenant = await socketOf('marcoHost', 'money-marco')
      const inRoom = await socketOf('avaAttendee', 'ava-fit')
      await inRoom.call('create', 'rooms', { noteId: 'far' })

      // Through the other process's HTTP API, and as work inside it (no request: an event handler).
      const viaHttp = await api(other.url).post(
        '/notes/notes',
        { title: 'from afar' },
        { token: tokens.platformAdmin, tenant: 'ava-fit' }
      )
      expect(viaHttp.status, JSON.stringify(viaHttp.body)).toBe(201)
      // A payload JSON cannot carry is dropped from the relay with a warning; the events after it still go.
      ;(other.app.service('comments' as any) as any).emit('created', {
        _id: 'c-unrelayable',
        noteId: 'far',
        tenantId: seed.tenants.ava._id,
        count: 10n
      })
      const comment = {
        _id: `c-${randomBytes(4).toString('hex')}`,
        noteId: 'far',
        tenantId: seed.tenants.ava._id
      }
      ;(other.app.service('comments' as any) as any).emit('created', comment)

      await waitFor(() => eventsAbout(host, viaHttp.body._id).length > 0)
      await waitFor(() => eventsAbout(inRoom, comment._id).length > 0)
      await pause(250)
      expect(eventsAbout(host, viaHttp.body._id).map((event) => event.event)).toEqual(['notes/notes created'])
      expect(eventsAbout(host, viaHttp.body._id)[0].data.title).toBe('from afar')
      expect(eventsAbout(inRoom, comment._id).map((event) => event.event)).toEqual(['comments created'])
      // Resolved at the origin from the document's tenant: no other tenant's socket hears it.
      expect(eventsAbout(otherTenant, viaHttp.body._id)).toEqual([])
      expect(eventsAbout(otherTenant, comment._id)).toEqual([])
      expect(eventsAbout(host, comment._id)).toEqual([])

      // An event of this process reaches a socket of the other process exactly once.
      const remote = await connectSocket(other.url, { tenant: 'ava-fit' })
      sockets.push(remote)
      await remote.call('create', 'authentication', { strategy: 'jwt', accessToken: tokens.northAdmin })
      const local = await createNote('ava-fit')
      await waitFor(() => eventsAbout(remote, local._id).length > 0)
      await pause(250)
      expect(eventsAbout(remote, local._id)).toHaveLength(1)
      expect(eventsAbout(host, local._id)).toHaveLength(1)
    } finally {
      await other.close()
    }
  })
})
