// `payments/webhook-events`: a tenant's staff see its failed provider events (secret-free fields only, never
// the payload, never another tenant's) and replay one, which processes it once.
import { describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../../providers/payment-provider.ts'
import {
  asHost,
  eventually,
  openInvoice,
  outboxCount,
  paymentOf,
  runWithTenant,
  sessionCompleted,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('webhook-events')

const as = (who: 'ava' | 'marco') => asHost(scenario, who)

/** Stores an event as the job leaves it once its retries are exhausted. */
async function storeFailed(event: ProviderEvent, tenantId: string) {
  const runtime = scenario.harness.runtime
  await runWithTenant(scenario, () =>
    runtime.models.webhookEvents.create({
      _id: event.id,
      type: event.type,
      provider: 'stripe',
      accountHash: event.account ? runtime.accountHash(event.account) : null,
      tenantId,
      livemode: false,
      created: event.created,
      payload: JSON.stringify(event),
      state: 'failed',
      reason: 'invoice not found',
      attempts: 8,
      receivedAt: new Date(),
      source: 'webhook'
    })
  )
}

const replay = (id: string, who: 'ava' | 'marco' = 'ava') =>
  scenario.harness.http.post('/payments/webhook-event-replays', { id }, as(who))

describe('failed webhook events', () => {
  it("lists the tenant's failed events without payload, and never another tenant's", async () => {
    const { session } = await openInvoice(scenario, 7_000)
    const avaEvent = sessionCompleted(session, 'paid')
    const marcoEvent = { ...sessionCompleted(session, 'paid'), id: `${avaEvent.id}_marco` }
    await storeFailed(avaEvent, scenario.harness.tenants.ava._id)
    await storeFailed(marcoEvent, scenario.harness.tenants.marco._id)

    const ava = await scenario.harness.http.get('/payments/webhook-events?state=failed', as('ava'))
    expect(ava.status).toBe(200)
    expect(ava.body.total).toBe(1)
    expect(ava.body.data).toEqual([
      {
        id: avaEvent.id,
        type: 'checkout.session.completed',
        state: 'failed',
        reason: 'invoice not found',
        attempts: 8,
        receivedAt: expect.any(String)
      }
    ])
    // Nothing of the payload: not the session, its metadata nor the connected account.
    const text = JSON.stringify(ava.body)
    for (const secret of [session.id, session.metadata.invoiceId, scenario.accounts.ava, 'payload'])
      expect(text).not.toContain(secret)

    const marco = await scenario.harness.http.get('/payments/webhook-events?state=failed', as('marco'))
    expect(marco.body.data.map((event: { id: string }) => event.id)).toEqual([marcoEvent.id])
    // Another tenant's event cannot be replayed either: 404, and it stays failed.
    const cross = await replay(avaEvent.id, 'marco')
    expect(cross.status).toBe(404)
    const unknown = await scenario.harness.http.get('/payments/webhook-events?payload=1', as('ava'))
    expect(unknown.status).toBe(400)
    expect(unknown.body.errors.map((error: { path: string }) => error.path)).toEqual(['payload'])
  })

  it('replays a failed event once: processed, one payment.succeeded, a second replay is refused', async () => {
    const { session, paymentId } = await openInvoice(scenario, 9_000)
    const event = sessionCompleted(session, 'paid')
    await storeFailed(event, scenario.harness.tenants.ava._id)

    // Two clicks at once: the state change is the guard, one replay is queued.
    const answers = await Promise.all([replay(event.id), replay(event.id)])
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409])
    const queued = answers.find((answer) => answer.status === 201)!
    expect(queued.body).toMatchObject({ id: event.id, state: 'received' })
    expect(queued.body.payload).toBeUndefined()

    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'paid'
    )
    const listed = await scenario.harness.http.get(
      '/payments/webhook-events?state=processed&$limit=100',
      as('ava')
    )
    expect(listed.body.data.map((row: { id: string }) => row.id)).toContain(event.id)
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)

    const again = await replay(event.id)
    expect(again.status).toBe(409)
    expect(again.body.data.reason).toBe('WEBHOOK_EVENT_NOT_FAILED')
    const closed = await scenario.harness.http.post(
      '/payments/webhook-event-replays',
      { id: event.id, force: true },
      as('ava')
    )
    expect(closed.status).toBe(400)
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
  })

  it('a replay that cannot be queued leaves the event failed, so it can be asked for again', async () => {
    const { session } = await openInvoice(scenario, 7_000)
    const event = sessionCompleted(session, 'paid')
    await storeFailed(event, scenario.harness.tenants.ava._id)
    const jobs = scenario.harness.app.get('jobs') as any
    const enqueue = jobs.enqueue
    jobs.enqueue = async () => {
      throw Object.assign(new Error('Redis is not reachable'), { name: 'RedisUnavailableError' })
    }
    try {
      expect((await replay(event.id)).status).toBeGreaterThanOrEqual(500)
    } finally {
      jobs.enqueue = enqueue
    }
    const stored = await runWithTenant(scenario, () =>
      scenario.harness.runtime.models.webhookEvents.findOne({ _id: event.id }).lean()
    )
    expect(stored).toMatchObject({ state: 'failed', reason: 'replay could not be queued' })
    expect((await replay(event.id)).status).toBe(201)
  })
})
