// A lead's owner (`assignedToId`) must be staff of the lead's tenant: a sales rep or host of it, or an admin
// of its agency. Anyone else (staff of another tenant or agency, an attendee, an unknown id) is a 400 on
// the field, with one message that does not tell them apart, and the lead keeps its owner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OWNER_REFUSED } from '../../services/lead-owner.ts'
import { call, eventually, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

let t: PipelineTestApp
let lead: { _id: string; userId?: string }

const assign = async (assignedToId: string | null) =>
  call(
    t.url,
    'PATCH',
    `/pipeline/leads/${lead._id}`,
    { assignedToId },
    { tenant: t.tenants.ava.slug, token: await t.token('avaHost') }
  )
const ownerNow = async () =>
  (
    await call(t.url, 'GET', `/pipeline/leads/${lead._id}`, undefined, {
      tenant: t.tenants.ava.slug,
      token: await t.token('avaHost')
    })
  ).body.assignedToId

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-lead-owner')
  const { one } = await t.catalogue(t.tenants.ava._id, ['one'])
  const registered = await call(
    t.url,
    'POST',
    '/pipeline/registrations',
    { name: 'Owned Lead', email: 'owned@example.com', masterclassId: one, consent: true },
    { tenant: t.tenants.ava.slug }
  )
  expect(registered.status).toBe(201)
  // The follow-up job links the registrant's (attendee) account: a user of the tenant who is not staff.
  lead = await eventually(async () => {
    const [found] = await t.asTenant(t.tenants.ava._id, () => t.model('lead').find({}).lean())
    return found?.userId ? { _id: String(found._id), userId: String(found.userId) } : undefined
  })
})
afterAll(async () => {
  await t?.close()
})

describe('lead owner', () => {
  it("accepts a sales rep or host of the lead's tenant and an admin of its agency", async () => {
    for (const user of ['avaRep', 'avaHost', 'northAdmin'] as const) {
      const response = await assign(t.users[user]._id)
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      expect(response.body.assignedToId).toBe(t.users[user]._id)
    }
  })

  it('refuses staff of another tenant or agency, an attendee and an unknown id, and keeps the owner', async () => {
    expect((await assign(t.users.avaRep._id)).status).toBe(200)
    for (const owner of [
      t.users.marcoHost._id, // host of another tenant of the same agency
      t.users.zedHost._id, // host of a tenant of another agency
      lead.userId!, // the lead's own attendee account
      '0123456789abcdef01234567' // no such user
    ]) {
      const response = await assign(owner)
      expect(response.status).toBe(400)
      expect(response.body.data).toMatchObject({ code: 'VALIDATION_FAILED' })
      expect(response.body.errors).toEqual([
        { path: 'assignedToId', message: "must be a sales rep, host or agency admin of the lead's tenant" }
      ])
    }
    expect(await ownerNow()).toBe(t.users.avaRep._id)
  })

  it('still clears the owner with null', async () => {
    const response = await assign(null)
    expect(response.status).toBe(200)
    expect(await ownerNow()).toBeUndefined()
  })

  it("reads the owner from core's user cache; an access change is seen at once", async () => {
    const users = t.app.service('users') as any
    const get = users.get
    const reads: string[] = []
    users.get = (id: string, params: unknown) => {
      reads.push(id)
      return get.call(users, id, params)
    }
    try {
      expect((await assign(t.users.avaRep._id)).status).toBe(200)
      reads.length = 0
      for (let i = 0; i < 3; i++) expect((await assign(t.users.avaRep._id)).status).toBe(200)
      expect(reads).toEqual([])

      // The rep moves to another tenant: the cached copy is dropped with the change, not served.
      await users.setAccess(
        { userId: t.users.avaRep._id, role: 'sales_rep', tenantIds: [t.tenants.marco._id] },
        {}
      )
      const response = await assign(t.users.avaRep._id)
      expect(response.status).toBe(400)
      expect(response.body.errors).toEqual([{ path: 'assignedToId', message: OWNER_REFUSED }])
    } finally {
      users.get = get
    }
  })
})
