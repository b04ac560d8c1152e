// Emailed sign-in links over real HTTP (API on the harness database, rate limits on the shared Redis, the
// outbox email provider): non-enumerating requests, single use under concurrency, expiry, tenant binding,
// rate limits per address and per IP, and field-level errors for bad input.
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { magicLinkTokenModel } from '../../../src/auth/magic-link/magic-link-token-model.ts'
import { runAsSystem } from '../../../src/context/request-scope.ts'
import {
  type RunningApi,
  seedAgency,
  seedTenant,
  startPlatformApi
} from '../../client/support/platform-api.ts'
import { outboxMessagesTo, signInToken, waitForMessages } from './outbox.ts'

const OUTBOX = `/tmp/ms-magic-link-outbox-${process.pid}-${randomBytes(3).toString('hex')}`
let api: RunningApi
const tenants: Record<'alpha' | 'beta', { _id: string; slug: string }> = {} as any
let ipCounter = 0
/** Each test talks from its own client IP (TRUST_PROXY), so per-IP limits of one test do not leak into another. */
const freshIp = () => `198.51.100.${++ipCounter}`

async function call(path: string, body: unknown, options: { tenant?: string; ip?: string } = {}) {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': options.ip ?? freshIp(),
      ...(options.tenant && { 'x-tenant': options.tenant })
    },
    body: JSON.stringify(body)
  })
  return { status: response.status, body: (await response.json()) as any }
}

const requestLink = (email: string, tenant = tenants.alpha.slug, ip?: string) =>
  call('/magic-link-requests', { email }, { tenant, ip })
const redeem = (token: string, tenant = tenants.alpha.slug, ip?: string) =>
  call('/authentication', { strategy: 'magic-link', token }, { tenant, ip })

async function registerAttendee(email: string, tenant: string) {
  const created = await call(
    '/users',
    { email, name: 'Sam Attendee', password: 'attendee-password-1' },
    { tenant }
  )
  expect(created.status, JSON.stringify(created.body)).toBe(201)
}

async function linkFor(email: string, tenant = tenants.alpha.slug): Promise<string> {
  const before = (await outboxMessagesTo(OUTBOX, email)).length
  const answer = await requestLink(email, tenant)
  expect(answer.status, JSON.stringify(answer.body)).toBe(201)
  const messages = await waitForMessages(OUTBOX, email, before + 1)
  return signInToken(messages[messages.length - 1])
}

beforeAll(async () => {
  api = await startPlatformApi('magic-link', { env: { TRUST_PROXY: 'true', EMAIL_OUTBOX_DIR: OUTBOX } })
  const agency = await seedAgency(api.app, 'magic-agency')
  for (const key of ['alpha', 'beta'] as const) {
    tenants[key] = await seedTenant(api.app, agency._id, {
      slug: `${key}-magic`,
      name: `${key} brand`,
      primary: '#0b5394',
      headline: key
    })
  }
  await registerAttendee('sam@magic.test', tenants.alpha.slug)
  await registerAttendee('kim@magic.test', tenants.alpha.slug)
  await registerAttendee('lee@magic.test', tenants.alpha.slug)
  await registerAttendee('ola@magic.test', tenants.alpha.slug)
  await registerAttendee('pat@magic.test', tenants.alpha.slug)
}, 120_000)

afterAll(() => api?.close())

describe('requesting a sign-in link', () => {
  it('answers the same for known and unknown addresses, and mails only the account holder', async () => {
    const known = await requestLink('sam@magic.test')
    const unknown = await requestLink('nobody@magic.test')
    expect(known.status).toBe(201)
    expect(unknown.status).toBe(201)
    expect(unknown.body).toEqual(known.body)
    expect(known.body).toEqual({ requested: true })
    const [message] = await waitForMessages(OUTBOX, 'sam@magic.test')
    expect(message.subject).toBe('Your sign-in link')
    expect(message.tenantId).toBe(tenants.alpha._id)
    // The link opens the tenant's own storefront host.
    expect(message.text).toContain(`//${tenants.alpha.slug}.localhost:5173/signin/link?token=`)
    expect(await outboxMessagesTo(OUTBOX, 'nobody@magic.test')).toEqual([])
  })

  it('takes about as long for unknown addresses as for known ones (mailing is not awaited)', async () => {
    const timings = { known: [] as number[], unknown: [] as number[] }
    const emails = ['kim@magic.test', 'lee@magic.test']
    for (let round = 0; round < 2; round++) {
      for (const [kind, email] of [
        ['known', emails[round]],
        ['unknown', `ghost${round}@magic.test`]
      ] as const) {
        const started = performance.now()
        expect((await requestLink(email)).status).toBe(201)
        timings[kind].push(performance.now() - started)
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]
    // Loose on a loaded machine, but an awaited insert + email write would stand out far more.
    expect(median(timings.known)).toBeLessThan(median(timings.unknown) * 3 + 30)
  })

  it('stores only the hash of the token, for its tenant, with a TTL index', async () => {
    const token = await linkFor('ola@magic.test')
    const tokens = magicLinkTokenModel(api.app.get('mongoose'))
    const hash = createHash('sha256').update(token).digest('hex')
    const stored = await runAsSystem('test', tenants.alpha._id, () => tokens.find({}).lean().exec())
    expect(stored.map((doc) => doc.tokenHash)).toContain(hash)
    expect(JSON.stringify(stored)).not.toContain(token)
    const mine = stored.find((doc) => doc.tokenHash === hash)!
    expect(mine.tenantId).toBe(tenants.alpha._id)
    expect(mine.expiresAt.getTime() - Date.now()).toBeGreaterThan(10 * 60_000)
    expect(mine.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000)
    const indexes = await tokens.collection.indexes()
    expect(indexes).toContainEqual(expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }))
  })

  it('refuses bad input with field errors and requires a tenant', async () => {
    const bad = await requestLink('not-an-email')
    expect(bad.status).toBe(400)
    expect(bad.body.data.code).toBe('VALIDATION_FAILED')
    expect(bad.body.errors).toContainEqual(expect.objectContaining({ path: 'email' }))
    const injected = await call(
      '/magic-link-requests',
      { email: { $ne: null } },
      { tenant: tenants.alpha.slug }
    )
    expect(injected.status).toBe(400)
    const extra = await call(
      '/magic-link-requests',
      { email: 'sam@magic.test', role: 'x' },
      { tenant: tenants.alpha.slug }
    )
    expect(extra.body.errors).toContainEqual(expect.objectContaining({ path: 'role' }))
    const noTenant = await call('/magic-link-requests', { email: 'sam@magic.test' })
    expect(noTenant.status).toBe(400)
    expect(noTenant.body.data.code).toBe('TENANT_REQUIRED')
  })

  it('limits requests per address (same answer for unknown ones) and per IP', async () => {
    for (const email of ['pat@magic.test', 'limit-ghost@magic.test']) {
      const answers = []
      for (let attempt = 0; attempt < 4; attempt++) answers.push((await requestLink(email)).status)
      expect(answers).toEqual([201, 201, 201, 429])
    }
    const ip = freshIp()
    const answers = []
    for (let attempt = 0; attempt < 11; attempt++)
      answers.push((await requestLink(`probe${attempt}@magic.test`, tenants.alpha.slug, ip)).status)
    expect(answers.slice(0, 10).every((status) => status === 201)).toBe(true)
    expect(answers[10]).toBe(429)
  })
})

describe('redeeming a sign-in link', () => {
  it('signs the attendee in once; the same link then fails', async () => {
    const token = await linkFor('kim@magic.test')
    const first = await redeem(token)
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect(first.body.user).toMatchObject({ email: 'kim@magic.test', role: 'attendee' })
    expect(first.body.authentication.strategy).toBe('magic-link')
    // The session works like a password one.
    const me = await fetch(`${api.url}/users/${first.body.user._id}`, {
      headers: { authorization: `Bearer ${first.body.accessToken}`, 'x-tenant': tenants.alpha.slug }
    })
    expect(me.status).toBe(200)
    const again = await redeem(token)
    expect(again.status).toBe(401)
    expect(again.body.accessToken).toBeUndefined()
  })

  it('gives exactly one session when the same link is redeemed twice at once', async () => {
    const token = await linkFor('lee@magic.test')
    const answers = await Promise.all([redeem(token), redeem(token), redeem(token)])
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 401, 401])
  })

  it('only works on the tenant it was requested on', async () => {
    const token = await linkFor('ola@magic.test')
    const elsewhere = await redeem(token, tenants.beta.slug)
    expect(elsewhere.status).toBe(401)
    const noTenant = await call('/authentication', { strategy: 'magic-link', token })
    expect(noTenant.status).toBe(401)
    // The failed attempts elsewhere did not burn it.
    expect((await redeem(token)).status).toBe(201)
  })

  it('refuses an expired link', async () => {
    const token = randomBytes(32).toString('base64url')
    const tokens = magicLinkTokenModel(api.app.get('mongoose'))
    const users = await api.app.get('access').User.find({ email: 'sam@magic.test' }).lean().exec()
    await runAsSystem('test', tenants.alpha._id, () =>
      tokens.create({
        tokenHash: createHash('sha256').update(token).digest('hex'),
        userId: String(users[0]._id),
        expiresAt: new Date(Date.now() - 1_000)
      })
    )
    expect((await redeem(token)).status).toBe(401)
  })

  it('refuses malformed tokens with a field error and unknown ones with 401', async () => {
    const short = await redeem('abc')
    expect(short.status).toBe(400)
    expect(short.body.errors).toContainEqual(expect.objectContaining({ path: 'token' }))
    const object = await call(
      '/authentication',
      { strategy: 'magic-link', token: { $ne: null } },
      { tenant: tenants.alpha.slug }
    )
    expect(object.status).toBe(400)
    expect((await redeem(randomBytes(32).toString('base64url'))).status).toBe(401)
  })
})

describe('proof of the mailbox (account pre-hijacking)', () => {
  const login = (email: string, password: string) =>
    call('/authentication', { strategy: 'local', email, password }, { tenant: tenants.alpha.slug })
  const stored = (email: string) =>
    api.app
      .get('access')
      .User.findOne({ email })
      .select('+passwordHash')
      .lean<{ passwordHash?: string; emailVerifiedAt?: Date; tokenVersion: number }>()
      .exec()

  it('refuses the password of an unverified attendee, and the first redeemed link clears it and revokes tokens', async () => {
    // Someone registers the owner's address with a password of their own.
    await registerAttendee('victim@magic.test', tenants.alpha.slug)
    expect((await login('victim@magic.test', 'attendee-password-1')).status).toBe(401)
    const before = (await stored('victim@magic.test'))!
    expect(before.emailVerifiedAt).toBeUndefined()
    expect(before.passwordHash).toBeTruthy()

    // The owner signs in through the emailed link.
    const session = await redeem(await linkFor('victim@magic.test'))
    expect(session.status, JSON.stringify(session.body)).toBe(201)
    const after = (await stored('victim@magic.test'))!
    expect(after.emailVerifiedAt).toBeInstanceOf(Date)
    expect(after.passwordHash).toBeUndefined()
    expect(after.tokenVersion).toBe(before.tokenVersion + 1)
    expect(session.body.user.tokenVersion).toBe(after.tokenVersion)
    // The pre-registrant's password no longer opens the account, verified or not.
    expect((await login('victim@magic.test', 'attendee-password-1')).status).toBe(401)

    // Later links sign in without touching the account again (the owner's session stays valid).
    expect((await redeem(await linkFor('victim@magic.test'))).status).toBe(201)
    expect((await stored('victim@magic.test'))!.tokenVersion).toBe(after.tokenVersion)
    const me = await fetch(`${api.url}/users/${session.body.user._id}`, {
      headers: { authorization: `Bearer ${session.body.accessToken}`, 'x-tenant': tenants.alpha.slug }
    })
    expect(me.status).toBe(200)
  })
})
