// Users over real HTTP: registration and profile edits can never set role, agency or memberships;
// admin grants are checked against the actor's reach; who sees whom; password reset end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/access-test-app.ts'
import { api } from './support/http-client.ts'
import { confirmRegistration } from './support/registration-link.ts'
import { PASSWORD, type Seed, seedAccess } from './support/seed.ts'
import { waitFor } from './support/socket-client.ts'

let t: TestApp
let seed: Seed
const client = () => api(t.url)
const tokens: Partial<Record<keyof Seed['users'], string>> = {}

beforeAll(async () => {
  t = await startTestApp('auth-users')
  seed = await seedAccess(t.app)
})
afterAll(() => t?.close())

async function token(key: keyof Seed['users']): Promise<string> {
  if (tokens[key]) return tokens[key]
  const user = seed.users[key]
  const res = await client().login(user.email, PASSWORD, { tenant: user.tenant })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  tokens[key] = res.body.accessToken
  return res.body.accessToken
}

async function countByEmail(email: string): Promise<number> {
  return t.app.get('access').User.countDocuments({ email }).exec()
}

describe('registration', () => {
  it('creates an attendee of the addressed tenant', async () => {
    const res = await client().post(
      '/users',
      { email: 'New.Fan@Mail.test', password: 'long-enough-pw', name: 'New Fan' },
      { tenant: seed.tenants.ava.slug }
    )
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ registered: true, email: 'new.fan@mail.test' })
    const stored = await t.app.get('access').User.findOne({ email: 'new.fan@mail.test' }).lean().exec()
    expect(stored).toMatchObject({ role: 'attendee' })
    expect(stored!.tenantIds.map(String)).toEqual([seed.tenants.ava._id])
    expect(t.events.emitted).toContainEqual(expect.objectContaining({ name: 'user.created' }))
  })

  it('refuses role, tenantIds and agencyId in the body, field by field, and creates nothing', async () => {
    const res = await client().post(
      '/users',
      {
        email: 'sneaky@mail.test',
        password: 'long-enough-pw',
        name: 'Sneaky',
        role: 'platform_admin',
        tenantIds: [seed.tenants.zed._id],
        agencyId: seed.agencies.south
      },
      { tenant: seed.tenants.ava.slug }
    )
    expect(res.status).toBe(400)
    expect(res.body.data.code).toBe('VALIDATION_FAILED')
    expect(res.body.errors.map((error: any) => error.path).sort()).toEqual(['agencyId', 'role', 'tenantIds'])
    expect(await countByEmail('sneaky@mail.test')).toBe(0)
  })

  it('reports every invalid field at once', async () => {
    const res = await client().post(
      '/users',
      { email: 'not-an-email', password: 'short' },
      { tenant: seed.tenants.ava.slug }
    )
    expect(res.status).toBe(400)
    expect(res.body.errors.map((error: any) => error.path).sort()).toEqual(['email', 'name', 'password'])
  })

  it('needs a tenant', async () => {
    const res = await client().post('/users', { email: 'x@mail.test', password: 'long-enough-pw', name: 'X' })
    expect(res.status).toBe(400)
    expect(res.body.data.code).toBe('TENANT_REQUIRED')
  })

  it('keeps attendee emails unique per tenant, not across tenants', async () => {
    const body = { email: 'twice@mail.test', password: 'long-enough-pw', name: 'Twice' }
    expect((await client().post('/users', body, { tenant: seed.tenants.ava.slug })).status).toBe(201)
    expect((await client().post('/users', body, { tenant: seed.tenants.marco.slug })).status).toBe(201)
    const again = await client().post(
      '/users',
      { ...body, name: 'Impostor' },
      { tenant: seed.tenants.ava.slug }
    )
    expect(again.status).toBe(201)
    expect(await countByEmail('twice@mail.test')).toBe(2)
  })

  it('answers an existing email exactly like a new one and tells the owner by email instead', async () => {
    const existing = { email: 'Fan@Mail.test', password: 'another-password', name: 'Someone' }
    const fresh = { email: 'fresh@mail.test', password: 'another-password', name: 'Fresh' }
    const sentBefore = t.email.sent.length
    const a = await client().post('/users', existing, { tenant: seed.tenants.ava.slug })
    const b = await client().post('/users', fresh, { tenant: seed.tenants.ava.slug })
    expect([a.status, b.status]).toEqual([201, 201])
    expect(Object.keys(a.body).sort()).toEqual(Object.keys(b.body).sort())
    expect(a.body).toEqual({ registered: true, email: 'fan@mail.test' })
    expect(b.body).toEqual({ registered: true, email: 'fresh@mail.test' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    const notices = t.email.sent.slice(sentBefore)
    // The existing account's owner is told; the new address gets the link confirming its registration.
    expect(notices.map((message) => [message.to, message.subject]).sort()).toEqual([
      ['fan@mail.test', 'You already have an account'],
      ['fresh@mail.test', 'Confirm your email address']
    ])
    for (const notice of notices) {
      expect(notice.tenantId).toBe(seed.tenants.ava._id)
      expect(notice.text).not.toContain('another-password')
    }
    // The existing account is untouched: its owner's password still works, the new one does not.
    expect((await client().login('fan@mail.test', PASSWORD, { tenant: seed.tenants.ava.slug })).status).toBe(
      201
    )
    expect(
      (await client().login('fan@mail.test', 'another-password', { tenant: seed.tenants.ava.slug })).status
    ).toBe(401)
    // A self-registered address is unproven: its password opens nothing until the link mailed for the
    // registration is redeemed (magic-link.integration.test.ts covers pre-registration by someone else).
    expect(
      (await client().login('fresh@mail.test', 'another-password', { tenant: seed.tenants.ava.slug })).status
    ).toBe(401)
    const confirmed = await confirmRegistration(t.url, t.email, 'fresh@mail.test', seed.tenants.ava.slug)
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201)
    expect(
      (await client().login('fresh@mail.test', 'another-password', { tenant: seed.tenants.ava.slug })).status
    ).toBe(201)
  })
})

describe('profile edits', () => {
  it('refuses access fields in a self-PATCH and changes nothing', async () => {
    const me = seed.users.avaHost
    const res = await client().patch(
      `/users/${me._id}`,
      { name: 'Still Ava', role: 'platform_admin', tenantIds: [seed.tenants.zed._id], tokenVersion: 99 },
      { token: await token('avaHost') }
    )
    expect(res.status).toBe(400)
    expect(res.body.errors.map((error: any) => error.path).sort()).toEqual([
      'role',
      'tenantIds',
      'tokenVersion'
    ])
    const after = await client().get(`/users/${me._id}`, { token: await token('avaHost') })
    expect(after.body).toMatchObject({
      name: 'ava',
      role: 'host',
      tenantIds: [seed.tenants.ava._id],
      tokenVersion: 1
    })
  })

  it('lets a user edit their own profile fields', async () => {
    const me = seed.users.avaAttendee
    const res = await client().patch(
      `/users/${me._id}`,
      { name: 'Fan Renamed', company: 'Fan Inc' },
      { token: await token('avaAttendee'), tenant: seed.tenants.ava.slug }
    )
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ name: 'Fan Renamed', company: 'Fan Inc', role: 'attendee' })
  })

  it("does not let an attendee edit someone else's profile (404: not even visible)", async () => {
    const res = await client().patch(
      `/users/${seed.users.avaHost._id}`,
      { name: 'Pwned' },
      { token: await token('avaAttendee'), tenant: seed.tenants.ava.slug }
    )
    expect(res.status).toBe(404)
  })
})

describe('admin grants', () => {
  const createStaff = async (actor: keyof Seed['users'], body: Record<string, unknown>) =>
    client().post('/users', body, { token: await token(actor), serviceMethod: 'createStaff' })

  it('lets an agency admin add a host to its own tenant', async () => {
    const res = await createStaff('northAdmin', {
      email: 'cohost@ava.test',
      name: 'Co Host',
      role: 'host',
      tenantIds: [seed.tenants.ava._id]
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({
      role: 'host',
      agencyId: seed.agencies.north,
      tenantIds: [seed.tenants.ava._id]
    })
  })

  it.each([
    ['a tenant of another agency', 'northAdmin', { role: 'host', tenantIds: ['zed'] }, 403],
    ['the platform admin role', 'northAdmin', { role: 'platform_admin' }, 403],
    ['anything, as a host', 'avaHost', { role: 'sales_rep', tenantIds: ['ava'] }, 403],
    ['anything, as an attendee', 'avaAttendee', { role: 'sales_rep', tenantIds: ['ava'] }, 403]
  ] as const)('refuses granting %s', async (_name, actor, grant, status) => {
    const tenantIds = 'tenantIds' in grant ? grant.tenantIds.map((key) => seed.tenants[key]._id) : undefined
    const email = `grant-${Math.random().toString(36).slice(2)}@x.test`
    const res = await createStaff(actor, {
      email,
      name: 'X',
      role: grant.role,
      ...(tenantIds && { tenantIds })
    })
    expect(res.status).toBe(status)
    expect(await countByEmail(email)).toBe(0)
  })

  it('validates grants per role with field errors', async () => {
    const res = await createStaff('platformAdmin', { email: 'h@x.test', name: 'H', role: 'host' })
    expect(res.status).toBe(400)
    expect(res.body.errors).toContainEqual(expect.objectContaining({ path: 'tenantIds' }))
  })

  it('refuses a user changing their own role', async () => {
    const me = seed.users.northAdmin
    const res = await client().post(
      '/users',
      { userId: me._id, role: 'agency_admin', agencyId: seed.agencies.south },
      { token: await token('northAdmin'), serviceMethod: 'setAccess' }
    )
    expect([403, 404]).toContain(res.status)
    const after = await t.app.get('access').User.findById(me._id).lean().exec()
    expect(after?.agencyId).toBe(seed.agencies.north)
  })

  it('answers 409 when moving an attendee to a tenant where the email is registered already', async () => {
    const inAva = await t.app
      .get('access')
      .User.findOne({ email: 'twice@mail.test', tenantIds: seed.tenants.ava._id })
      .lean()
      .exec()
    const res = await client().post(
      '/users',
      { userId: String(inAva!._id), role: 'attendee', tenantIds: [seed.tenants.marco._id] },
      { token: await token('northAdmin'), serviceMethod: 'setAccess' }
    )
    expect(res.status).toBe(409)
    const after = await t.app.get('access').User.findById(inAva!._id).lean().exec()
    expect(after?.tenantIds).toEqual([seed.tenants.ava._id])
    expect(after?.tokenVersion).toBe(inAva!.tokenVersion)
  })

  it("refuses an agency admin changing another agency's user (404: outside its view)", async () => {
    const res = await client().post(
      '/users',
      { userId: seed.users.zedHost._id, role: 'sales_rep', tenantIds: [seed.tenants.ava._id] },
      { token: await token('northAdmin'), serviceMethod: 'setAccess' }
    )
    expect(res.status).toBe(404)
  })
})

describe('visibility', () => {
  it('shows a host only members of its tenants', async () => {
    const res = await client().get('/users', { token: await token('avaHost') })
    expect(res.status).toBe(200)
    const emails = res.body.data.map((user: any) => user.email)
    expect(emails).toContain('fan@mail.test')
    expect(emails).not.toContain('fan2@mail.test')
    expect(emails).not.toContain('zed@zed.test')
    expect(
      (await client().get(`/users/${seed.users.zedHost._id}`, { token: await token('avaHost') })).status
    ).toBe(404)
  })

  it('shows an attendee only themselves', async () => {
    const res = await client().get('/users', {
      token: await token('avaAttendee'),
      tenant: seed.tenants.ava.slug
    })
    expect(res.body.data.map((user: any) => user._id)).toEqual([seed.users.avaAttendee._id])
  })

  it('refuses operator queries', async () => {
    const res = await client().get('/users?email[$ne]=x', { token: await token('platformAdmin') })
    expect(res.status).toBe(400)
    expect(res.body.data.code).toBe('QUERY_NOT_ALLOWED')
  })

  it('needs authentication', async () => {
    expect((await client().get('/users')).status).toBe(401)
  })
})

describe('password reset by email', () => {
  const latestToken = () => {
    const mail = t.email.sent.at(-1)!
    return /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]
  }

  it('mails a single-use token that sets a new password and revokes old sessions', async () => {
    const fan = seed.users.avaAttendee
    const oldToken = await token('avaAttendee')
    const before = t.email.sent.length
    const requested = await client().post(
      '/password-reset-requests',
      { email: fan.email },
      { tenant: seed.tenants.ava.slug }
    )
    expect(requested.status).toBe(201)
    expect(requested.body).toEqual({ requested: true })
    await waitFor(() => t.email.sent.length > before)
    const mail = t.email.sent.at(-1)!
    expect(mail.to).toBe(fan.email)
    expect(mail.text).toContain('http://storefront.test/reset-password?token=')
    const resetToken = latestToken()
    const stored = await t.app.get('access').User.findById(fan._id).select('+resetTokenHash').lean().exec()
    expect(stored?.resetTokenHash).toBeTypeOf('string')
    expect(stored?.resetTokenHash).not.toContain(resetToken)

    const reset = await client().post('/password-resets', {
      token: resetToken,
      password: 'brand-new-password'
    })
    expect(reset.status).toBe(201)
    expect(
      (await client().get(`/users/${fan._id}`, { token: oldToken, tenant: seed.tenants.ava.slug })).status
    ).toBe(401)
    expect((await client().login(fan.email, PASSWORD, { tenant: seed.tenants.ava.slug })).status).toBe(401)
    expect(
      (await client().login(fan.email, 'brand-new-password', { tenant: seed.tenants.ava.slug })).status
    ).toBe(201)

    const reused = await client().post('/password-resets', {
      token: resetToken,
      password: 'another-password-1'
    })
    expect(reused.status).toBe(400)
    expect(reused.body.errors).toContainEqual(expect.objectContaining({ path: 'token' }))
  })

  it('answers unknown emails the same way and sends nothing', async () => {
    const before = t.email.sent.length
    const res = await client().post(
      '/password-reset-requests',
      { email: 'ghost@nowhere.test' },
      { tenant: seed.tenants.ava.slug }
    )
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ requested: true })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(t.email.sent.length).toBe(before)
  })

  it('refuses expired tokens', async () => {
    const host = seed.users.zedHost
    const before = t.email.sent.length
    await client().post('/password-reset-requests', { email: host.email })
    await waitFor(() => t.email.sent.length > before)
    expect(t.email.sent.at(-1)!.text).toContain('http://dashboard.test/reset-password?token=')
    const resetToken = latestToken()
    await t.app
      .get('access')
      .User.updateOne({ _id: host._id }, { $set: { resetExpiresAt: new Date(Date.now() - 1000) } })
      .exec()
    const res = await client().post('/password-resets', { token: resetToken, password: 'brand-new-password' })
    expect(res.status).toBe(400)
    expect((await client().login(host.email, PASSWORD)).status).toBe(201)
  })
})
