// The lead tracker end to end: events through the real durable bus move leads along the table, history
// records who/what/when/from/to, out-of-order and replayed events never move a lead backwards or twice,
// and reps' manual moves over HTTP are allowed or refused (409) by the same table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emitAndWait } from '../support/emit-and-wait.ts'
import { call, eventually, type PipelineTestApp, startPipelineTestApp } from '../support/pipeline-test-app.ts'

let t: PipelineTestApp
let tenant: string
/** A masterclass of ava's catalogue (registration refuses others). */
let masterclassId: string

async function newLead(email: string): Promise<any> {
  const response = await call(
    t.url,
    'POST',
    '/pipeline/registrations',
    { name: 'Lead', email, masterclassId, consent: true, utmSource: 'tiktok' },
    { tenant: t.tenants.ava.slug }
  )
  expect(response.status).toBe(201)
  // Wait for the follow-up job's announcement so the history starts with the creation entry.
  return eventually(async () => {
    const lead = await t.asTenant(tenant, () => t.model('lead').findOne({ email }).lean())
    return lead?.announcedAt && lead
  })
}
const leadById = (id: unknown) => t.asTenant(tenant, () => t.model('lead').findOne({ _id: id }).lean())
const historyOf = (id: unknown) =>
  t.asTenant(tenant, () =>
    t
      .model('lead-history')
      .find({ leadId: String(id) })
      .sort({ at: 1, _id: 1 })
      .lean()
  )
const move = async (
  leadId: string,
  to: string,
  user: 'avaRep' | 'avaHost' | 'marcoHost' | 'northAdmin' = 'avaRep'
) =>
  call(
    t.url,
    'POST',
    '/pipeline/leads',
    { leadId, to },
    {
      tenant: t.tenants.ava.slug,
      token: await t.token(user),
      serviceMethod: 'move'
    }
  )

beforeAll(async () => {
  t = await startPipelineTestApp('pipeline-tracker')
  tenant = t.tenants.ava._id
  ;({ one: masterclassId } = await t.catalogue(tenant, ['one']))
})
afterAll(async () => {
  await t?.close()
})

describe('lead tracker: events', () => {
  it('walks the whole journey and records every step in the history', async () => {
    const lead = await newLead('journey@example.com')
    const id = String(lead._id)
    await emitAndWait(t, tenant, 'invoice.issued', {
      invoiceId: 'inv-1',
      leadId: id,
      customerEmail: lead.email
    })
    expect((await leadById(lead._id)).status).toBe('INVOICED')
    await emitAndWait(t, tenant, 'payment.succeeded', {
      paymentId: 'pay-1',
      invoiceId: 'inv-1',
      leadId: id,
      amountMinor: 4900,
      currency: 'EUR'
    })
    expect(await leadById(lead._id)).toMatchObject({
      status: 'PAID',
      paidMinor: 4900,
      currency: 'EUR',
      funnelRank: 2
    })
    await emitAndWait(t, tenant, 'attendance.joined', {
      customerEmail: 'JOURNEY@example.com',
      masterclassId
    })
    expect((await leadById(lead._id)).status).toBe('ATTENDED')
    await emitAndWait(t, tenant, 'appointment.booked', {
      appointmentId: 'apt-1',
      leadId: id,
      salesRepId: t.users.avaRep._id
    })
    expect(await leadById(lead._id)).toMatchObject({ status: 'SCHEDULED', assignedToId: t.users.avaRep._id })
    const won = await move(id, 'WON')
    expect(won.status).toBe(200)
    expect(won.body).toMatchObject({ _id: id, status: 'WON', funnelRank: 5 })
    const history = await historyOf(lead._id)
    expect(history.map((h: any) => [h.from, h.to, h.trigger])).toEqual([
      [null, 'NEW', 'registration'],
      ['NEW', 'INVOICED', 'event:invoice.issued'],
      ['INVOICED', 'PAID', 'event:payment.succeeded'],
      ['PAID', 'ATTENDED', 'event:attendance.joined'],
      ['ATTENDED', 'SCHEDULED', 'event:appointment.booked'],
      ['SCHEDULED', 'WON', 'manual']
    ])
    expect(history.at(-1).actor).toEqual({ kind: 'user', userId: t.users.avaRep._id })
    expect(history[1].actor).toEqual({ kind: 'system', name: 'invoice.issued' })
    for (const entry of history) expect(entry.durationMs).toBeGreaterThanOrEqual(0)
    const outbox = t.app.get('mongoose').collection('events_outbox')
    expect(await outbox.countDocuments({ name: 'lead.status.changed', 'payload.leadId': id })).toBe(5)
  })

  it('a late invoice.issued after payment.succeeded keeps the lead PAID', async () => {
    const lead = await newLead('late-invoice@example.com')
    const id = String(lead._id)
    await emitAndWait(t, tenant, 'payment.succeeded', {
      paymentId: 'pay-2',
      invoiceId: 'inv-2',
      leadId: id,
      amountMinor: 1000,
      currency: 'EUR'
    })
    await emitAndWait(t, tenant, 'invoice.issued', { invoiceId: 'inv-2', leadId: id })
    expect((await leadById(lead._id)).status).toBe('PAID')
    expect((await historyOf(lead._id)).map((h: any) => h.to)).toEqual(['NEW', 'PAID'])
  })

  it('attendance before payment: the payment books revenue but the lead stays ATTENDED', async () => {
    const lead = await newLead('early-bird@example.com')
    const id = String(lead._id)
    await emitAndWait(t, tenant, 'attendance.joined', { leadId: id })
    await emitAndWait(t, tenant, 'payment.succeeded', {
      paymentId: 'pay-3',
      invoiceId: 'inv-3',
      leadId: id,
      amountMinor: 2500,
      currency: 'EUR'
    })
    expect(await leadById(lead._id)).toMatchObject({ status: 'ATTENDED', paidMinor: 2500 })
  })

  it('a redelivered payment (same event id or same payment) books revenue once and moves once', async () => {
    const lead = await newLead('replay@example.com')
    const id = String(lead._id)
    const payload = { paymentId: 'pay-4', invoiceId: 'inv-4', leadId: id, amountMinor: 3000, currency: 'EUR' }
    await emitAndWait(t, tenant, 'payment.succeeded', payload, { id: 'payment.succeeded:evt-4' })
    await t.app
      .get('events')
      .emit('payment.succeeded' as any, payload as any, { tenantId: tenant, id: 'payment.succeeded:evt-4' })
    // The producer re-emits the same payment under a new event id (at-least-once upstream).
    await emitAndWait(t, tenant, 'payment.succeeded', payload)
    expect(await leadById(lead._id)).toMatchObject({ status: 'PAID', paidMinor: 3000 })
    expect((await historyOf(lead._id)).map((h: any) => h.to)).toEqual(['NEW', 'PAID'])
    const revenue = await t.asTenant(tenant, () => t.model('revenue-entry').find({ leadId: id }).lean())
    expect(revenue).toHaveLength(1)
  })

  it('a full refund of a PAID lead books the refund and marks it LOST; refunds arriving out of order keep the largest', async () => {
    const lead = await newLead('refund@example.com')
    const id = String(lead._id)
    await emitAndWait(t, tenant, 'payment.succeeded', {
      paymentId: 'pay-5',
      invoiceId: 'inv-5',
      leadId: id,
      amountMinor: 5000,
      currency: 'EUR'
    })
    await emitAndWait(t, tenant, 'payment.refunded', {
      paymentId: 'pay-5',
      invoiceId: 'inv-5',
      leadId: id,
      refundedMinor: 5000,
      amountMinor: 5000,
      currency: 'EUR',
      fullyRefunded: true
    })
    await emitAndWait(t, tenant, 'payment.refunded', {
      paymentId: 'pay-5',
      invoiceId: 'inv-5',
      leadId: id,
      refundedMinor: 2000,
      amountMinor: 5000,
      currency: 'EUR',
      fullyRefunded: false
    })
    expect(await leadById(lead._id)).toMatchObject({ status: 'LOST', paidMinor: 0, funnelRank: 2 })
  })

  it('events for unknown leads are dropped without failing the delivery', async () => {
    await emitAndWait(t, tenant, 'invoice.issued', {
      invoiceId: 'inv-x',
      customerEmail: 'nobody@example.com'
    })
  })

  it('insight.generated sets a clamped score and does not move the lead', async () => {
    const lead = await newLead('scored@example.com')
    await emitAndWait(t, tenant, 'insight.generated', { leadId: String(lead._id), score: 140 })
    expect(await leadById(lead._id)).toMatchObject({ status: 'NEW', score: 100 })
  })

  it('events of another tenant never touch this tenant’s lead with the same email', async () => {
    const lead = await newLead('shared@example.com')
    await emitAndWait(t, t.tenants.marco._id, 'invoice.issued', {
      invoiceId: 'inv-m',
      customerEmail: 'shared@example.com'
    })
    await emitAndWait(t, t.tenants.marco._id, 'invoice.issued', {
      invoiceId: 'inv-m2',
      leadId: String(lead._id)
    })
    expect((await leadById(lead._id)).status).toBe('NEW')
  })
})

describe('lead tracker: manual moves over HTTP', () => {
  it('refuses a move the table does not allow with 409 and the reason; the lead stays', async () => {
    const lead = await newLead('refused@example.com')
    const response = await move(String(lead._id), 'PAID')
    expect(response.status).toBe(409)
    expect(response.body.message).toBe('A lead in NEW can be moved by hand to LOST only')
    expect((await leadById(lead._id)).status).toBe('NEW')
  })

  it('allows NEW → LOST and then refuses anything from LOST', async () => {
    const lead = await newLead('lost@example.com')
    expect((await move(String(lead._id), 'LOST')).status).toBe(200)
    const again = await move(String(lead._id), 'WON')
    expect(again.status).toBe(409)
    expect(again.body.message).toBe('A lead in LOST is closed and cannot be moved')
  })

  it('validates the move body', async () => {
    const response = await move('not-an-id', 'SOMEWHERE')
    expect(response.status).toBe(400)
    expect(response.body.errors.map((e: any) => e.path).sort()).toEqual(['leadId', 'to'])
  })

  it('staff of another tenant cannot move this tenant’s lead; an agency view cannot write', async () => {
    const lead = await newLead('guarded@example.com')
    expect((await move(String(lead._id), 'LOST', 'marcoHost')).status).toBe(403)
    const agencyWide = await call(
      t.url,
      'POST',
      '/pipeline/leads',
      { leadId: String(lead._id), to: 'LOST' },
      {
        tenant: t.tenants.ava.slug,
        token: await t.token('northAdmin'),
        serviceMethod: 'move',
        headers: { 'x-tenant-scope': 'agency' }
      }
    )
    expect(agencyWide.status).toBe(403)
    expect((await leadById(lead._id)).status).toBe('NEW')
  })

  it('mints event ids itself: two edits sent with the same X-Request-Id are two lead.updated events', async () => {
    const lead = await newLead('same-request-id@example.com')
    const options = {
      tenant: t.tenants.ava.slug,
      token: await t.token('avaRep'),
      headers: { 'x-request-id': 'reused-request-id-0001' }
    }
    for (const note of ['first call', 'second call']) {
      const response = await call(t.url, 'PATCH', `/pipeline/leads/${lead._id}`, { note }, options)
      expect(response.status).toBe(200)
    }
    const updates = await t.app
      .get('mongoose')
      .collection('events_outbox')
      .countDocuments({ name: 'lead.updated', 'payload.leadId': String(lead._id), 'payload.changed': 'note' })
    expect(updates).toBe(2)
  })

  it('anonymous callers cannot read or move leads', async () => {
    const response = await call(t.url, 'GET', '/pipeline/leads', undefined, { tenant: t.tenants.ava.slug })
    expect(response.status).toBe(401)
  })
})
