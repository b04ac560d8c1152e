// Tenant isolation for EVERY tenant-scoped service of the app: a user of tenant A gets 404 on tenant B's
// ids, never sees B's documents, cannot write into B or set tenantId, and never receives B's events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { guardedServices } from '../../src/auth/guard-service-call.ts'
import { startTestApp, type TestApp } from './support/access-test-app.ts'
import { api } from './support/http-client.ts'
import { enableNotes, notesManifest, registerNotesFixture, SAMPLE_DATA } from './support/notes-fixture.ts'
import { PASSWORD, type Seed, seedAccess } from './support/seed.ts'
import { connectSocket, pause, type TestSocket } from './support/socket-client.ts'

let t: TestApp
let seed: Seed
const tokens: Record<string, string> = {}
const sockets: TestSocket[] = []

/** Which seeded users act on each side of the boundary, per role a service's create rule needs. */
const ACTORS = {
  host: { a: 'avaHost', b: 'marcoHost' },
  attendee: { a: 'avaAttendee', b: 'marcoAttendee' }
} as const
/** Core's tenant-scoped services without documents of their own, each with where its isolation is proven. */
const NO_DOCUMENTS: Record<string, string> = {
  site: "the tenant's public profile: a per-tenant view, checked in core/test/platform/platform-isolation",
  'magic-link-requests':
    'create-only, same receipt for every address; links bound to the requesting tenant, checked in core/test/auth/magic-link'
}
const ACTOR_OF: Record<string, keyof typeof ACTORS> = { 'notes/notes': 'host', 'notes/diary': 'attendee' }

beforeAll(async () => {
  t = await startTestApp('auth-isolation', { plugins: [notesManifest], register: registerNotesFixture })
  seed = await seedAccess(t.app)
  await enableNotes(t.app, [seed.tenants.ava._id, seed.tenants.marco._id])
  for (const key of ['avaHost', 'marcoHost', 'avaAttendee', 'marcoAttendee'] as const) {
    const user = seed.users[key]
    const res = await api(t.url).login(user.email, PASSWORD, { tenant: user.tenant })
    expect(res.status).toBe(201)
    tokens[key] = res.body.accessToken
  }
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

async function socketFor(key: string, tenant: string): Promise<TestSocket> {
  const socket = await connectSocket(t.url, { tenant })
  sockets.push(socket)
  await socket.call('create', 'authentication', { strategy: 'jwt', accessToken: tokens[key] })
  return socket
}

describe('generic tenant isolation', () => {
  it('covers every tenant-scoped service of the app (each needs sample data here)', () => {
    const scoped = guardedServices(t.app)
      .filter((service) => service.tenantScoped && !(service.path in NO_DOCUMENTS))
      .map((service) => service.path)
    expect(scoped.sort()).toEqual(Object.keys(SAMPLE_DATA).sort())
  })

  for (const path of Object.keys(SAMPLE_DATA)) {
    describe(path, () => {
      const client = () => api(t.url)
      const ava = () => seed.tenants.ava.slug
      const marco = () => seed.tenants.marco.slug
      let actorA: string
      let actorB: string
      let docA: any
      let docB: any
      let socketA: TestSocket
      let socketB: TestSocket

      beforeAll(async () => {
        actorA = ACTORS[ACTOR_OF[path]].a
        actorB = ACTORS[ACTOR_OF[path]].b
        socketA = await socketFor(actorA, ava())
        socketB = await socketFor(actorB, marco())
        const resB = await client().post(`/${path}`, SAMPLE_DATA[path](), {
          token: tokens[actorB],
          tenant: marco()
        })
        expect(resB.status, JSON.stringify(resB.body)).toBe(201)
        docB = resB.body
        const resA = await client().post(`/${path}`, SAMPLE_DATA[path](), {
          token: tokens[actorA],
          tenant: ava()
        })
        expect(resA.status).toBe(201)
        docA = resA.body
      })

      it("answers 404 for B's id on get, patch, update and remove", async () => {
        const opts = { token: tokens[actorA], tenant: ava() }
        expect((await client().get(`/${path}/${docB._id}`, opts)).status).toBe(404)
        expect((await client().patch(`/${path}/${docB._id}`, { title: 'hijacked' }, opts)).status).toBe(404)
        expect((await client().put(`/${path}/${docB._id}`, { title: 'hijacked' }, opts)).status).toBe(404)
        expect((await client().delete(`/${path}/${docB._id}`, opts)).status).toBe(404)
        const stillThere = await client().get(`/${path}/${docB._id}`, {
          token: tokens[actorB],
          tenant: marco()
        })
        expect(stillThere.status).toBe(200)
        expect(stillThere.body.title).toBe(docB.title)
      })

      it("never lists B's documents", async () => {
        const res = await client().get(`/${path}`, { token: tokens[actorA], tenant: ava() })
        expect(res.status).toBe(200)
        const ids = (Array.isArray(res.body) ? res.body : res.body.data).map((doc: any) => doc._id)
        expect(ids).toContain(docA._id)
        expect(ids).not.toContain(docB._id)
      })

      it('refuses a client-set tenantId and writes nothing', async () => {
        const data: Record<string, any> = { ...SAMPLE_DATA[path](), tenantId: seed.tenants.marco._id }
        const res = await client().post(`/${path}`, data, { token: tokens[actorA], tenant: ava() })
        expect(res.status).toBe(400)
        expect(res.body.errors, JSON.stringify(res.body)).toContainEqual(
          expect.objectContaining({ path: 'tenantId' })
        )
        const listB = await client().get(`/${path}`, { token: tokens[actorB], tenant: marco() })
        const titles = (Array.isArray(listB.body) ? listB.body : listB.body.data).map((doc: any) => doc.title)
        expect(titles).not.toContain(data.title)
      })

      it('cannot address B by switching the tenant header (403), nor create into B', async () => {
        const opts = { token: tokens[actorA], tenant: marco() }
        const get = await client().get(`/${path}/${docB._id}`, opts)
        expect(get.status).toBe(403)
        expect(get.body.data.code).toBe('FORBIDDEN')
        expect((await client().post(`/${path}`, SAMPLE_DATA[path](), opts)).status).toBe(403)
        expect((await client().get(`/${path}`, opts)).status).toBe(403)
      })

      it("stamps A's creates with A's tenant, invisibly to B", async () => {
        const res = await client().get(`/${path}/${docA._id}`, { token: tokens[actorB], tenant: marco() })
        expect(res.status).toBe(404)
      })

      it("delivers realtime events only within the event's tenant", async () => {
        const created = await client().post(`/${path}`, SAMPLE_DATA[path](), {
          token: tokens[actorA],
          tenant: ava()
        })
        expect(created.status).toBe(201)
        await pause(300)
        const seenByA = socketA.received.filter((event) => event.data?._id === created.body._id)
        const seenByB = socketB.received.filter((event) => event.data?._id === created.body._id)
        expect(seenByA.map((event) => event.event)).toContain(`${path} created`)
        expect(seenByB).toEqual([])
        expect(socketB.received.filter((event) => event.data?.tenantId === seed.tenants.ava._id)).toEqual([])
      })
    })
  }
})
