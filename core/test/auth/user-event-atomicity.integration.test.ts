// User writes and their platform events are one transaction: with a failure injected right after the event
// reached the outbox, neither the user change nor its event is stored; without it, both are.
import type { Collection } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OUTBOX_COLLECTION } from '../../src/events/event-store.ts'
import { outboxFailureInjection } from '../tenancy/outbox-failure-injection.ts'
import { startTestApp, type TestApp } from './support/access-test-app.ts'
import { api } from './support/http-client.ts'
import { PASSWORD, type Seed, seedAccess } from './support/seed.ts'

let t: TestApp
let outbox: Collection<any>
let users: Collection<any>
let seed: Seed
const injection = outboxFailureInjection()

const eventsAbout = (name: string, userId: string) =>
  outbox.countDocuments({ name, 'payload.userId': userId })

beforeAll(async () => {
  t = await startTestApp('auth-user-event-atomicity', {
    configureEvents: injection.configureEvents
  })
  seed = await seedAccess(t.app)
  outbox = t.app.get('mongoose').db!.collection(OUTBOX_COLLECTION)
  users = t.app.get('mongoose').db!.collection('users')
})
afterAll(() => t?.close())

async function login(key: keyof Seed['users'], password = PASSWORD): Promise<string> {
  const user = seed.users[key]
  const res = await api(t.url).login(user.email, password, { tenant: user.tenant })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.accessToken
}

describe('user writes with their platform events', () => {
  it('creates a user and its user.created event together, or neither', async () => {
    const service = (t.app as any).service('users')
    const input = {
      email: 'atomic@ava.test',
      name: 'Atomic',
      role: 'host',
      tenantIds: [seed.tenants.ava._id]
    }
    injection.failNextEmit()
    await expect(service.createStaff(input)).rejects.toThrow()
    expect(await users.countDocuments({ email: 'atomic@ava.test' })).toBe(0)
    expect(await outbox.countDocuments({ name: 'user.created', 'payload.email': 'atomic@ava.test' })).toBe(0)

    const created = await service.createStaff(input)
    expect(await users.countDocuments({ email: 'atomic@ava.test' })).toBe(1)
    expect(await eventsAbout('user.created', created._id)).toBe(1)
  })

  it('changes a role with its user.access.changed event, or neither (the old token keeps working)', async () => {
    const admin = await login('platformAdmin')
    const token = await login('avaRep')
    const userId = seed.users.avaRep._id
    const before = await users.findOne({ email: 'rep@northstar.test' })
    const setAccess = () =>
      api(t.url).post(
        '/users',
        { userId, role: 'host', tenantIds: [seed.tenants.ava._id] },
        { token: admin, serviceMethod: 'setAccess' }
      )

    injection.failNextEmit()
    expect((await setAccess()).status).toBe(500)
    const unchanged = await users.findOne({ email: 'rep@northstar.test' })
    expect(unchanged).toMatchObject({ role: 'sales_rep', tokenVersion: before!.tokenVersion })
    expect(await eventsAbout('user.access.changed', userId)).toBe(0)
    expect((await api(t.url).get(`/users/${userId}`, { token })).status).toBe(200)

    expect((await setAccess()).status).toBe(200)
    expect(await users.findOne({ email: 'rep@northstar.test' })).toMatchObject({
      role: 'host',
      tokenVersion: before!.tokenVersion + 1
    })
    expect(await eventsAbout('user.access.changed', userId)).toBe(1)
    expect((await api(t.url).get(`/users/${userId}`, { token })).status).toBe(401)
  })

  it('changes a password with its event, or neither', async () => {
    const token = await login('marcoHost')
    const userId = seed.users.marcoHost._id
    const change = () =>
      api(t.url).patch(
        `/users/${userId}`,
        { password: 'changed-password-1', currentPassword: PASSWORD },
        { token }
      )

    injection.failNextEmit()
    expect((await change()).status).toBe(500)
    expect(await eventsAbout('user.access.changed', userId)).toBe(0)
    expect((await api(t.url).login(seed.users.marcoHost.email, PASSWORD)).status).toBe(201)

    expect((await change()).status).toBe(200)
    expect(await eventsAbout('user.access.changed', userId)).toBe(1)
    expect((await api(t.url).login(seed.users.marcoHost.email, 'changed-password-1')).status).toBe(201)
  })

  it('removes a user with its event, or neither', async () => {
    const admin = await login('platformAdmin')
    const userId = seed.users.marcoAttendee._id
    injection.failNextEmit()
    expect((await api(t.url).delete(`/users/${userId}`, { token: admin })).status).toBe(500)
    expect(await users.countDocuments({ email: 'fan2@mail.test' })).toBe(1)
    expect(await eventsAbout('user.access.changed', userId)).toBe(0)

    expect((await api(t.url).delete(`/users/${userId}`, { token: admin })).status).toBe(200)
    expect(await users.countDocuments({ email: 'fan2@mail.test' })).toBe(0)
    expect(await eventsAbout('user.access.changed', userId)).toBe(1)
  })
})
