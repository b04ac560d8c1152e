// Public registration over real HTTP: one lead (and one attendee user) per person per tenant even under
// a flood of concurrent identical requests; bad input, and a masterclass the tenant's catalogue does not
// hold open, answer 400 with field messages and store nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRegistrationFollowUp, sweepUnannounced } from '../../jobs/registration-follow-up.ts'
import { call, eventually, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

let t: PipelineTestApp
/** Catalogue entries: ava's spring and autumn masterclasses, marco's spring one. */
let mc: { spring: string; autumn: string; marcoSpring: string }
const register = (body: unknown, tenant = t.tenants.ava.slug, headers: Record<string, string> = {}) =>
  call(t.url, 'POST', '/pipeline/registrations', body, { tenant, headers })
const form = (email: string, masterclassId = mc.spring) => ({
  name: 'Ana Lima',
  email,
  masterclassId,
  consent: true,
  utmSource: 'instagram',
  utmCampaign: 'spring'
})
const leadsOf = (tenantId: string) => t.asTenant(tenantId, () => t.model('lead').find({}).lean())
const outbox = () => t.app.get('mongoose').collection('events_outbox')
/** Past the sweep's grace minute. */
const later = () => new Date(Date.now() + 61_000)

/** A registration of ava's while Redis is down: stored and answered, its follow-up never queued. */
async function registerWhileQueueDown(email: string): Promise<void> {
  const jobs = t.app.get('jobs') as any
  const enqueue = jobs.enqueue
  jobs.enqueue = async () => {
    throw Object.assign(new Error('Redis is not reachable'), { name: 'RedisUnavailableError' })
  }
  try {
    expect((await register(form(email))).status).toBe(201)
  } finally {
    jobs.enqueue = enqueue
  }
}

/**
 * One sweep pass of ava's at `now`, running each follow-up it queues right away (as the worker would);
 * answers whether it queued `leadId` (other tests' leads of the tenant may be in flight).
 */
async function sweepAt(now: Date, leadId: string): Promise<boolean> {
  const tenantId = t.tenants.ava._id
  const queued: string[] = []
  await t.asTenant(tenantId, () =>
    sweepUnannounced(
      t.models(),
      async (data) => {
        queued.push(data.leadId)
        await runRegistrationFollowUp(t.app, t.models(), tenantId, data)
      },
      now
    )
  )
  return queued.includes(leadId)
}

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-registration')
  const ava = await t.catalogue(t.tenants.ava._id, ['spring', 'autumn'])
  const marco = await t.catalogue(t.tenants.marco._id, ['spring'])
  mc = { ...ava, marcoSpring: marco.spring }
})
afterAll(async () => {
  await t?.close()
})

describe('registration', () => {
  it('creates the lead with a normalized email, its source and a creation history entry', async () => {
    const response = await register(form('  New.Person@Example.COM '))
    expect(response.status).toBe(201)
    expect(response.body).toEqual({ received: true, masterclassId: mc.spring })
    const [lead] = (await leadsOf(t.tenants.ava._id)).filter((l: any) => l.email === 'new.person@example.com')
    expect(lead).toMatchObject({
      status: 'NEW',
      funnelRank: 0,
      masterclassId: mc.spring,
      source: { utmSource: 'instagram', utmCampaign: 'spring' },
      tenantId: t.tenants.ava._id,
      registrations: 1
    })
    // The creation entry is the follow-up job's (off the request path): wait for it.
    const history = await eventually(async () => {
      const entries = await t.asTenant(t.tenants.ava._id, () =>
        t
          .model('lead-history')
          .find({ leadId: String(lead._id) })
          .lean()
      )
      return entries.length > 0 && entries
    })
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({ from: null, to: 'NEW', trigger: 'registration' })
  })

  it('answers without waiting for Redis to confirm the follow-up job, which is queued for the stored lead', async () => {
    const jobs = t.app.get('jobs') as any
    const enqueue = jobs.enqueue
    const queued: { job: string; data: any; options: any }[] = []
    let confirm: (() => void) | undefined
    // Redis that never answers (within this test): the visitor must not wait on it.
    jobs.enqueue = (job: string, data: unknown, options: unknown) => {
      queued.push({ job, data, options })
      return new Promise<void>((resolve) => (confirm = resolve))
    }
    try {
      expect((await register(form('slow.redis@example.com'))).status).toBe(201)
    } finally {
      jobs.enqueue = enqueue
      confirm?.()
    }
    const [lead] = (await leadsOf(t.tenants.ava._id)).filter((l: any) => l.email === 'slow.redis@example.com')
    expect(queued).toEqual([
      {
        job: 'pipeline.registration-follow-up',
        data: { leadId: String(lead._id), registration: 1 },
        options: { jobId: `registration-follow-up:${lead._id}:1` }
      }
    ])
  })

  it('answers and keeps the registration when the job queue is unreachable; the sweep follows up first and repeat registrations', async () => {
    const email = 'queue.down@example.com'
    const tenantId = t.tenants.ava._id
    const leadOf = async () => (await leadsOf(tenantId)).filter((l: any) => l.email === email)

    await registerWhileQueueDown(email)
    const [stored] = await leadOf()
    const leadId = String(stored._id)
    expect(stored.announcedAt ?? null).toBeNull()
    // Within the grace minute the follow-up may still be on its way: the sweep leaves it.
    expect(await sweepAt(new Date(), leadId)).toBe(false)
    expect(await sweepAt(later(), leadId)).toBe(true)
    expect(await outbox().countDocuments({ name: 'lead.created', 'payload.email': email })).toBe(1)
    const [announced] = await leadOf()
    expect(announced).toMatchObject({ announcedRegistrations: 1 })
    expect(announced.userId).toBeTruthy()
    // Announced: the next pass has nothing to do.
    expect(await sweepAt(later(), leadId)).toBe(false)

    // A repeat registration whose follow-up is lost is announced by the sweep too (lead.updated).
    await registerWhileQueueDown(email)
    expect(await outbox().countDocuments({ name: 'lead.updated', 'payload.leadId': leadId })).toBe(0)
    expect(await sweepAt(later(), leadId)).toBe(true)
    expect(await outbox().countDocuments({ name: 'lead.updated', 'payload.leadId': leadId })).toBe(1)
    expect(await outbox().countDocuments({ name: 'lead.created', 'payload.email': email })).toBe(1)
    expect((await leadOf())[0]).toMatchObject({ registrations: 2, announcedRegistrations: 2 })
    expect(await sweepAt(later(), leadId)).toBe(false)
  })

  it('several lost repeats of a lead are each announced once, by the sweep or by a later follow-up', async () => {
    const email = 'many.lost@example.com'
    const tenantId = t.tenants.ava._id
    expect((await register(form(email))).status).toBe(201)
    const [lead] = (await leadsOf(tenantId)).filter((l: any) => l.email === email)
    const leadId = String(lead._id)
    const announcedRepeats = async () =>
      (await outbox().find({ name: 'lead.updated', 'payload.leadId': leadId }).toArray())
        .map((event) => String(event._id))
        .sort()
    const repeatIds = (...numbers: number[]) => numbers.map((n) => `lead.updated:${leadId}:registration-${n}`)
    await eventually(async () => (await leadsOf(tenantId)).find((l: any) => l.announcedRegistrations === 1))

    // Repeats 2, 3 and 4 lost: one sweep announces each of them, a second sweep nothing more.
    for (let i = 0; i < 3; i++) await registerWhileQueueDown(email)
    expect(await sweepAt(later(), leadId)).toBe(true)
    expect(await announcedRepeats()).toEqual(repeatIds(2, 3, 4))
    expect(await sweepAt(later(), leadId)).toBe(false)
    expect(await announcedRepeats()).toEqual(repeatIds(2, 3, 4))

    // Repeat 5 lost, repeat 6 followed up normally: its follow-up announces 5 too, before any sweep.
    await registerWhileQueueDown(email)
    expect((await register(form(email))).status).toBe(201)
    await eventually(async () => (await announcedRepeats()).length === 5)
    expect(await announcedRepeats()).toEqual(repeatIds(2, 3, 4, 5, 6))
    await eventually(async () => (await leadsOf(tenantId)).find((l: any) => l.announcedRegistrations === 6))
    expect(await sweepAt(later(), leadId)).toBe(false)
    expect(await outbox().countDocuments({ name: 'lead.created', 'payload.leadId': leadId })).toBe(1)
  })

  it('a flood of concurrent identical registrations makes one lead, one lead.created and one user', async () => {
    const email = 'flood@example.com'
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => register(form(i % 2 ? email : email.toUpperCase())))
    )
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201))
    const leads = (await leadsOf(t.tenants.ava._id)).filter((l: any) => l.email === email)
    expect(leads).toHaveLength(1)
    expect(leads[0].registrations).toBe(40)
    // The follow-up jobs (40 of them, concurrently) announce once and link exactly one attendee account.
    const lead = await eventually(async () => {
      const [found] = (await leadsOf(t.tenants.ava._id)).filter((l: any) => l.email === email && l.userId)
      return found
    })
    const outbox = t.app.get('mongoose').collection('events_outbox')
    await eventually(
      async () =>
        (await outbox.countDocuments({ name: 'lead.updated', 'payload.leadId': String(lead._id) })) === 39
    )
    expect(await outbox.countDocuments({ name: 'lead.created', 'payload.email': email })).toBe(1)
    const users = await t.app.get('mongoose').collection('users').find({ email }).toArray()
    expect(users).toHaveLength(1)
    expect(String(users[0]._id)).toBe(lead.userId)
    expect(users[0]).toMatchObject({ role: 'attendee', tenantIds: [t.tenants.ava._id] })
    // A public form proves nothing about the address: the account waits for its owner to confirm it.
    expect(users[0].emailVerifiedAt ?? null).toBeNull()
  })

  it('a first registration stores a complete lead the schema accepts; a repeat updates it in place', async () => {
    // The first registration is a plain insert (no casting, no validation by mongoose): the stored
    // document must be exactly what the schema describes, or reads, moves and metrics would break.
    const email = 'insert.path@example.com'
    expect((await register({ ...form(email), phone: '+351 912 345 678' })).status).toBe(201)
    const [first] = (await leadsOf(t.tenants.ava._id)).filter((l: any) => l.email === email)
    expect(first).toMatchObject({
      name: 'Ana Lima',
      phone: '+351 912 345 678',
      masterclassId: mc.spring,
      masterclassIds: [mc.spring],
      source: { utmSource: 'instagram', utmCampaign: 'spring' },
      status: 'NEW',
      funnelRank: 0,
      tags: [],
      notes: [],
      paidMinor: 0,
      registrations: 1,
      tenantId: t.tenants.ava._id
    })
    for (const field of ['createdAt', 'updatedAt', 'stageEnteredAt', 'consentAt', 'lastRegisteredAt'])
      expect(first[field]).toBeInstanceOf(Date)
    const Lead = t.model('lead')
    await expect(t.asTenant(t.tenants.ava._id, () => new Lead(first).validate())).resolves.toBeUndefined()
    expect(
      Object.keys(first)
        .filter((key) => !Lead.schema.path(key) && key !== 'source')
        .sort()
    ).toEqual([])

    const repeat = { ...form(email), name: 'Ana M. Lima', masterclassId: mc.autumn, company: 'Lima Lda' }
    expect((await register(repeat)).status).toBe(201)
    const [second] = (await leadsOf(t.tenants.ava._id)).filter((l: any) => l.email === email)
    expect(String(second._id)).toBe(String(first._id))
    expect(second).toMatchObject({
      name: 'Ana M. Lima',
      company: 'Lima Lda',
      phone: '+351 912 345 678',
      masterclassId: mc.spring,
      masterclassIds: [mc.spring, mc.autumn],
      status: 'NEW',
      registrations: 2
    })
    expect(second.createdAt).toEqual(first.createdAt)
    expect(second.stageEnteredAt).toEqual(first.stageEnteredAt)
    expect(second.lastRegisteredAt.getTime()).toBeGreaterThanOrEqual(first.lastRegisteredAt.getTime())
  })

  it('the same email in another tenant is another lead', async () => {
    expect((await register(form('both@example.com'), t.tenants.ava.slug)).status).toBe(201)
    expect((await register(form('both@example.com', mc.marcoSpring), t.tenants.marco.slug)).status).toBe(201)
    expect(
      (await leadsOf(t.tenants.ava._id)).filter((l: any) => l.email === 'both@example.com')
    ).toHaveLength(1)
    expect(
      (await leadsOf(t.tenants.marco._id)).filter((l: any) => l.email === 'both@example.com')
    ).toHaveLength(1)
  })

  it('answers 404 on a tenant that has not enabled the pipeline', async () => {
    const response = await register(form('zed@example.com'), t.tenants.zed.slug)
    expect(response.status).toBe(404)
    expect(response.body.data.code).toBe('PLUGIN_DISABLED')
  })

  it('refuses a registration without a tenant', async () => {
    const response = await call(t.url, 'POST', '/pipeline/registrations', form('none@example.com'))
    expect(response.status).toBe(400)
    expect(response.body.data.code).toBe('TENANT_REQUIRED')
  })
})

const NOT_OPEN = 'is not a masterclass open for registration'

describe('registration: bad input gets 400 with field messages and stores nothing', () => {
  const marcoForm = (email: string) => form(email, mc.marcoSpring)
  const cases: [string, () => unknown, Record<string, string>][] = [
    ['missing email', () => ({ ...marcoForm(''), email: undefined }), { email: 'is required' }],
    [
      'bad email',
      () => marcoForm('not-an-email'),
      { email: 'must be an email address like ana@example.com' }
    ],
    [
      'script tags',
      () => ({ ...marcoForm('xss@example.com'), name: '<script>alert(1)</script>' }),
      { name: 'must not contain < or >' }
    ],
    [
      '$-operator objects',
      () => ({ ...marcoForm('x@example.com'), email: { $gt: '' } }),
      { email: 'must be text' }
    ],
    [
      '$-operator keys',
      () => ({ ...marcoForm('y@example.com'), $where: 'sleep(1000)' }),
      { $where: 'is not a registration field' }
    ],
    [
      'no consent',
      () => ({ ...marcoForm('c@example.com'), consent: false }),
      { consent: 'must be given to register' }
    ],
    ['unknown masterclass', () => form('unknown.mc@example.com', 'mc-spring'), { masterclassId: NOT_OPEN }],
    [
      'unknown masterclass id of the right shape',
      () => form('unknown.id@example.com', '0123456789abcdef01234567'),
      { masterclassId: NOT_OPEN }
    ],
    [
      "another tenant's masterclass",
      () => form('other.mc@example.com', mc.spring),
      { masterclassId: NOT_OPEN }
    ]
  ]
  for (const [label, body, errors] of cases) {
    it(label, async () => {
      const before = (await leadsOf(t.tenants.marco._id)).length
      const response = await register(body(), t.tenants.marco.slug)
      expect(response.status).toBe(400)
      expect(response.body.data.code).toBe('VALIDATION_FAILED')
      const fields = Object.fromEntries(response.body.errors.map((e: any) => [e.path, e.message]))
      expect(fields).toMatchObject(errors)
      expect((await leadsOf(t.tenants.marco._id)).length).toBe(before)
    })
  }

  it('a masterclass that has started, or was removed from the catalogue, is refused', async () => {
    const started = await t.catalogue(t.tenants.marco._id, ['started'], { startsInMs: -60_000 })
    const leaving = await t.catalogue(t.tenants.marco._id, ['leaving'])
    // Accepted while it is in the catalogue (and now cached)...
    expect((await register(form('leaving@example.com', leaving.leaving), t.tenants.marco.slug)).status).toBe(
      201
    )
    await t.asTenant(t.tenants.marco._id, () =>
      (t.app as any).service('masterclasses/masterclasses').remove(leaving.leaving)
    )
    const before = (await leadsOf(t.tenants.marco._id)).length
    for (const masterclassId of [started.started, leaving.leaving]) {
      const response = await register(form('late@example.com', masterclassId), t.tenants.marco.slug)
      expect(response.status).toBe(400)
      expect(response.body.errors).toEqual([{ path: 'masterclassId', message: NOT_OPEN }])
    }
    expect((await leadsOf(t.tenants.marco._id)).length).toBe(before)
  })

  it('a masterclass added to the catalogue takes registrations at once', async () => {
    expect((await register(form('warm@example.com', mc.marcoSpring), t.tenants.marco.slug)).status).toBe(201)
    const added = await t.catalogue(t.tenants.marco._id, ['added'])
    const response = await register(form('new.class@example.com', added.added), t.tenants.marco.slug)
    expect(response.status).toBe(201)
  })

  it('a 10 MB body is refused before it is parsed or stored', async () => {
    const before = (await leadsOf(t.tenants.marco._id)).length
    const huge = JSON.stringify({ ...form('huge@example.com'), name: 'x'.repeat(10 * 1024 * 1024) })
    const response = await call(t.url, 'POST', '/pipeline/registrations', undefined, {
      tenant: t.tenants.marco.slug,
      raw: { body: huge, contentType: 'application/json' }
    }).catch((error) => ({ status: 0, error }))
    // Core's body limit (1 MiB) answers before the body is read: 413 naming the limit, nothing stored.
    expect(response.status).toBe(413)
    expect((response as any).body).toMatchObject({
      code: 413,
      message: 'Request body is too large (at most 1048576 bytes)',
      data: { code: 'PAYLOAD_TOO_LARGE', limitBytes: 1048576 }
    })
    expect((await leadsOf(t.tenants.marco._id)).length).toBe(before)
  })

  it('a body over the registration cap but under the platform limit is a 400 naming the cap', async () => {
    const response = await register(
      { ...form('big@example.com'), company: 'c'.repeat(20_000) },
      t.tenants.marco.slug
    )
    expect(response.body).toMatchObject({ code: 400 })
    expect(response.body.errors).toEqual([{ path: '', message: 'must be at most 8192 bytes' }])
  })

  it('a filled honeypot looks accepted to the bot but stores nothing', async () => {
    const response = await register(
      { ...form('bot@example.com'), website: 'http://spam.example' },
      t.tenants.marco.slug
    )
    expect(response.status).toBe(201)
    expect((await leadsOf(t.tenants.marco._id)).some((l: any) => l.email === 'bot@example.com')).toBe(false)
  })
})
