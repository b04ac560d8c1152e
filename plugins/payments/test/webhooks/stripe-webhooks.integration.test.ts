// The webhook endpoint over real HTTP with the Stripe SDK's signatures: refusals change nothing,
// duplicates and reordering produce one effect, delayed methods wait, unknown accounts are ignored.
import { runAsSystem, trusted } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { reconcilePayments } from '../../jobs/reconcile-payments.ts'
import { forgetRoute } from '../../webhooks/account-route-cache.ts'
import { routeAccountEvents } from '../../webhooks/route-unrouted-events.ts'
import {
  deliver,
  disputeCreated,
  eventFor,
  eventually,
  intentSucceeded,
  invoiceOf,
  openInvoice,
  outboxCount,
  paymentOf,
  sessionCompleted,
  sign,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('webhooks')

const storedEvents = () => scenario.harness.runtime.models.webhookEvents.countDocuments({})
const receiptsTo = (email: string) =>
  scenario.harness.mailer.sent.filter((mail) => mail.to === email && /payment received/.test(mail.subject))

describe('signature checks (400, nothing stored, nothing changes)', () => {
  it('refuses a missing, forged, re-serialized or stale signature', async () => {
    const { session, paymentId } = await openInvoice(scenario)
    const event = sessionCompleted(session, 'paid')
    const payload = JSON.stringify(event)
    const before = await storedEvents()
    const cases = [
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json', 'stripe-signature': sign(payload, { secret: 'whsec_wrong' }) },
      {
        'content-type': 'application/json',
        'stripe-signature': sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 })
      }
    ]
    for (const headers of cases) {
      const response = await fetch(`${scenario.harness.url}/webhooks/payments/stripe`, {
        method: 'POST',
        headers,
        body: payload
      })
      expect(response.status).toBe(400)
      expect(((await response.json()) as any).data.reason).toBe('WEBHOOK_SIGNATURE_INVALID')
    }
    const reserialized = await fetch(`${scenario.harness.url}/webhooks/payments/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': sign(payload) },
      body: JSON.stringify(event, null, 1)
    })
    expect(reserialized.status).toBe(400)
    expect(await storedEvents()).toBe(before)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await paymentOf(scenario, paymentId))?.status).toBe('pending')
  })
})

describe('processing', () => {
  it('fulfils a paid completion: payment and invoice paid, payment.succeeded recorded, one receipt with a PDF', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario, 25_000)
    const response = await deliver(scenario, sessionCompleted(session, 'paid'))
    expect(response.status).toBe(200)
    const payment = await eventually(
      async () => {
        const current = await paymentOf(scenario, paymentId)
        return current?.status === 'succeeded' && current
      },
      15_000,
      'payment succeeded'
    )
    expect(payment).toMatchObject({
      amountMinor: 25_000,
      applicationFeeMinor: 2_500,
      paymentIntentId: session.payment_intent
    })
    expect((await invoiceOf(scenario, invoice._id))?.status).toBe('paid')
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    const [receipt] = await eventually(
      () => receiptsTo(invoice.customer.email).length === 1 && receiptsTo(invoice.customer.email),
      15_000,
      'receipt'
    )
    expect(receipt.attachments?.[0].contentType).toBe('application/pdf')
    expect(receipt.attachments?.[0].content.toString('latin1')).toContain(invoice.number)
  })

  it('turns 10 concurrent deliveries of one event into one effect and one email', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario)
    const event = sessionCompleted(session, 'paid')
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(scenario, event)))
    expect(responses.every((response) => response.status === 200)).toBe(true)
    expect(responses.filter((response) => response.body.duplicate === false)).toHaveLength(1)
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'payment succeeded'
    )
    await eventually(() => receiptsTo(invoice.customer.email).length === 1, 15_000, 'receipt')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(receiptsTo(invoice.customer.email)).toHaveLength(1)
    expect(await scenario.harness.runtime.models.webhookEvents.countDocuments({ _id: event.id })).toBe(1)
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
  })

  it('applies a refund that arrives before the completion, and the late completion changes nothing', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario, 10_000)
    const charge = {
      id: 'ch_early',
      object: 'charge',
      payment_intent: session.payment_intent,
      amount: 10_000,
      amount_refunded: 4_000,
      refunded: false,
      metadata: session.metadata
    }
    const refunded = eventFor(session.account, 'charge.refunded', charge)
    expect((await deliver(scenario, refunded)).status).toBe(200)
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'partially_refunded',
      15_000,
      'partial refund'
    )
    const late = sessionCompleted(session, 'paid')
    expect((await deliver(scenario, late)).status).toBe(200)
    const processed: Record<string, unknown> = {
      _id: trusted({ $in: [refunded.id, late.id] }),
      state: 'processed'
    }
    await eventually(
      async () => (await scenario.harness.runtime.models.webhookEvents.countDocuments(processed)) === 2,
      15_000,
      'both processed'
    )
    const payment = await paymentOf(scenario, paymentId)
    expect(payment).toMatchObject({ status: 'partially_refunded', amountRefundedMinor: 4_000 })
    expect((await invoiceOf(scenario, invoice._id))?.status).toBe('partially_refunded')
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    expect(await outboxCount(scenario, 'payment.refunded', { 'payload.paymentId': paymentId })).toBe(1)
  })

  it('takes payment_intent.succeeded before checkout.session.completed as the one success', async () => {
    const { session, paymentId } = await openInvoice(scenario)
    await deliver(scenario, intentSucceeded(session))
    await deliver(scenario, sessionCompleted(session, 'paid'))
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'succeeded'
    )
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
  })

  it('does not fulfil an unpaid completion until the async payment succeeds', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario)
    await deliver(scenario, sessionCompleted(session, 'unpaid'))
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'processing',
      15_000,
      'processing'
    )
    expect((await invoiceOf(scenario, invoice._id))?.status).toBe('open')
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(0)
    await deliver(
      scenario,
      eventFor(session.account, 'checkout.session.async_payment_succeeded', {
        ...session,
        status: 'complete',
        payment_status: 'paid'
      })
    )
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'succeeded'
    )
    expect((await invoiceOf(scenario, invoice._id))?.status).toBe('paid')
  })

  it('keeps events of not-yet-routed accounts as unrouted and ignores those of the wrong mode', async () => {
    const { session, paymentId } = await openInvoice(scenario)
    const unknown = eventFor('acct_someone_else', 'checkout.session.completed', {
      ...session,
      account: 'acct_someone_else',
      payment_status: 'paid'
    })
    const live = { ...sessionCompleted(session, 'paid'), livemode: true }
    expect((await deliver(scenario, unknown)).body).toMatchObject({ received: true, state: 'unrouted' })
    expect((await deliver(scenario, live)).body).toMatchObject({ received: true, state: 'ignored' })
    const stored = await scenario.harness.runtime.models.webhookEvents
      .find({ _id: trusted({ $in: [unknown.id, live.id] }) })
      .lean()
    expect(stored.map((event: any) => event.reason).sort()).toEqual([
      'connected account not routed to a tenant (yet)',
      'livemode true on a test platform'
    ])
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await paymentOf(scenario, paymentId))?.status).toBe('pending')
  })

  it('stores events with the connected account id replaced by its routing hash, and still processes them', async () => {
    const { session, paymentId } = await openInvoice(scenario)
    const accountId = scenario.accounts.ava
    const hash = scenario.harness.runtime.accountHash(accountId)
    const completed = sessionCompleted(session, 'paid')
    // The account's own object names it as its id, and an unrouted account is stored the same way.
    const updated = eventFor(accountId, 'account.updated', {
      id: accountId,
      object: 'account',
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      requirements: { currently_due: [] }
    })
    const unrouted = eventFor('acct_not_routed_yet', 'charge.refunded', { id: 'ch_x', object: 'charge' })
    for (const event of [completed, updated, unrouted])
      expect((await deliver(scenario, event)).status).toBe(200)
    expect(JSON.stringify(completed)).toContain(accountId)
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'payment succeeded'
    )
    const stored = await eventually(
      async () => {
        const events = await scenario.harness.runtime.models.webhookEvents
          .find({ _id: trusted({ $in: [completed.id, updated.id, unrouted.id] }) })
          .lean()
        return events.filter((event: any) => event.state === 'processed').length === 2 && events
      },
      15_000,
      'events processed'
    )
    for (const event of stored as any[]) {
      expect(JSON.stringify(event)).not.toMatch(/acct_/)
      expect(JSON.parse(event.payload).account).toBe(event.accountHash)
    }
    expect(JSON.parse(stored.find((event: any) => event._id === completed.id).payload).account).toBe(hash)
    expect(stored.find((event: any) => event._id === updated.id).reason).toBe('account status updated')
  })

  it('flags a dispute on the payment and invoice and alerts the staff once', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario)
    await deliver(scenario, sessionCompleted(session, 'paid'))
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'succeeded'
    )
    const event = disputeCreated(session, 'dp_1')
    await Promise.all([deliver(scenario, event), deliver(scenario, event)])
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.dispute?.status === 'needs_response',
      15_000,
      'dispute'
    )
    expect((await invoiceOf(scenario, invoice._id))?.disputed).toBe(true)
    const alerts = await eventually(
      () => {
        const sent = scenario.harness.mailer.sent.filter(
          (mail) => mail.to === 'staff@ava-fit.test' && /disputed/.test(mail.subject)
        )
        return sent.length > 0 && sent
      },
      15_000,
      'dispute alert'
    )
    expect(alerts).toHaveLength(1)
  })
})

describe('events of an account not routed yet', () => {
  it('stores them unrouted, then reconciliation and connection route and process them exactly once', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario, 31_000)
    const { runtime } = scenario.harness
    const tenantId = scenario.harness.tenants.ava._id
    const accountHash = runtime.accountHash(scenario.accounts.ava)
    // Stripe delivering before our route write (a fresh connection) looks like this: no route yet.
    await runtime.models.routes.deleteOne({ _id: accountHash })
    forgetRoute(runtime, accountHash) // the endpoint's in-memory copy of the route, from earlier tests
    const event = sessionCompleted(session, 'paid')
    const answers = await Promise.all([1, 2, 3].map(() => deliver(scenario, event)))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200])
    expect(answers.filter((answer) => answer.body.duplicate === false)).toHaveLength(1)
    const stored = await runtime.models.webhookEvents.findById(event.id).lean()
    expect(stored).toMatchObject({ state: 'unrouted', tenantId: null, accountHash })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await paymentOf(scenario, paymentId))?.status).toBe('pending')
    expect(receiptsTo(invoice.customer.email)).toHaveLength(0)

    // A reconciliation pass and a connection racing each other claim the event once between them.
    const [report, fromConnection] = await Promise.all([
      runAsSystem('test', tenantId, () => reconcilePayments(runtime)),
      runAsSystem('test', tenantId, () => routeAccountEvents(runtime, tenantId, scenario.accounts.ava))
    ])
    expect(report.routed + fromConnection.length).toBe(1)
    expect(await runtime.models.routes.findById(accountHash).lean()).toMatchObject({ tenantId })
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'routed event processed'
    )
    await eventually(
      async () => (await runtime.models.webhookEvents.findById(event.id).lean())?.state === 'processed',
      15_000,
      'event processed'
    )
    // Routing again and redelivering change nothing: one succeeded event, one receipt.
    expect(
      await runAsSystem('test', tenantId, () => routeAccountEvents(runtime, tenantId, scenario.accounts.ava))
    ).toEqual([])
    expect((await deliver(scenario, event)).body).toMatchObject({ duplicate: true })
    await eventually(() => receiptsTo(invoice.customer.email).length > 0, 15_000, 'receipt')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    expect(receiptsTo(invoice.customer.email)).toHaveLength(1)
  })
})
