// A declined card leaves Stripe's Checkout session open: the next attempt must expire it first, and a
// second success for an already paid invoice (a lost race) is a refunded duplicate that changes nothing
// else. A success whose amount or currency differs from the invoice is flagged, not applied. Real HTTP,
// Stripe SDK → local fake, signed webhooks; each event delivered alone (the per-event path).
import { runAsSystem } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { fulfil } from '../../domain/payment-transitions.ts'
import type { Payment } from '../../models/payment-model.ts'
import {
  asHost,
  deliver,
  eventFor,
  eventually,
  invoiceOf,
  openInvoice,
  outboxCount,
  paymentOf,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('double-charge')

const ava = () => asHost(scenario)

async function statusOf(paymentId: string, status: string) {
  return eventually(async () => (await paymentOf(scenario, paymentId))?.status === status, 15_000, status)
}

/** The first attempt declined (its session stays open), then the pay link clicked again. */
async function declinedThenRetried(amountMinor = 19_900) {
  const first = await openInvoice(scenario, amountMinor)
  expect((await deliver(scenario, scenario.fake.declineSession(first.session.id))).status).toBe(200)
  await statusOf(first.paymentId, 'failed')
  expect(scenario.fake.sessions.get(first.session.id)!.status).toBe('open')
  const retry = await scenario.harness.http.post(
    '/payments/checkout',
    { invoiceId: first.invoice._id },
    ava()
  )
  expect(retry.status).toBe(201)
  expect(retry.body.paymentId).not.toBe(first.paymentId)
  const second = [...scenario.fake.sessions.values()].find(
    (candidate) => candidate.metadata.paymentId === retry.body.paymentId
  )!
  return { ...first, secondPaymentId: retry.body.paymentId as string, secondSessionId: second.id as string }
}

function paidCompletion(sessionId: string, overrides: Record<string, unknown> = {}) {
  const session = scenario.fake.sessions.get(sessionId)!
  return eventFor(session.account, 'checkout.session.completed', {
    ...session,
    status: 'complete',
    payment_status: 'paid',
    payment_intent: scenario.fake.intentOf(sessionId),
    ...overrides
  })
}

describe('a new attempt after a decline', () => {
  it('expires the previous open session with an idempotency key, so it can no longer be paid', async () => {
    const { session, paymentId } = await declinedThenRetried()
    const expiry = scenario.fake.writesTo(`/v1/checkout/sessions/${session.id}/expire`)
    expect(expiry).toHaveLength(1)
    expect(expiry[0]).toMatchObject({
      stripeAccount: scenario.accounts.ava,
      idempotencyKey: `expire:${paymentId}`
    })
    expect(scenario.fake.sessions.get(session.id)!.status).toBe('expired')
    expect(() => scenario.fake.completeSession(session.id, 'paid')).toThrow(/expired/)
  })

  it('opens no new attempt while the previous session is completed (paid or pending): 409', async () => {
    const first = await openInvoice(scenario)
    await deliver(scenario, scenario.fake.declineSession(first.session.id))
    await statusOf(first.paymentId, 'failed')
    // The customer retried on the same (still open) page and paid; its success is not in yet.
    scenario.fake.completeSession(first.session.id, 'paid')
    const retry = await scenario.harness.http.post(
      '/payments/checkout',
      { invoiceId: first.invoice._id },
      ava()
    )
    expect(retry.status).toBe(409)
    expect(retry.body.data.reason).toBe('PAYMENT_IN_PROGRESS')
    expect(scenario.fake.writesTo(`/v1/checkout/sessions/${first.session.id}/expire`)).toHaveLength(0)
  })
})

describe('a second success for an invoice already paid', () => {
  it('is recorded as a duplicate and refunded once; the invoice, receipt and revenue stay as the first payment left them', {
    timeout: 60_000
  }, async () => {
    const { invoice, session, paymentId, secondPaymentId, secondSessionId } =
      await declinedThenRetried(21_000)
    const revenueBefore = await scenario.harness.http.get('/payments/revenue', ava())
    const paymentsBefore =
      revenueBefore.body.currencies.find((row: any) => row.currency === 'usd')?.payments ?? 0
    scenario.fake.completeSession(secondSessionId, 'paid')
    await deliver(scenario, paidCompletion(secondSessionId))
    await statusOf(secondPaymentId, 'succeeded')
    // Stripe's expiry lost a race with the customer: the first session was paid after all.
    const late = paidCompletion(session.id)
    expect((await deliver(scenario, late)).status).toBe(200)
    await statusOf(paymentId, 'duplicate')
    expect(await paymentOf(scenario, paymentId)).toMatchObject({ duplicateOf: secondPaymentId })
    expect(await invoiceOf(scenario, invoice._id)).toMatchObject({
      status: 'paid',
      paymentId: secondPaymentId,
      amountPaidMinor: 21_000
    })
    const refund = await eventually(
      () =>
        scenario.fake
          .writesTo('/v1/refunds')
          .find((request) => request.idempotencyKey === `duplicate-refund:${paymentId}`),
      15_000,
      'duplicate refunded'
    )
    expect(refund).toMatchObject({ stripeAccount: scenario.accounts.ava })
    expect(refund.form.payment_intent).toBe(scenario.fake.intentOf(session.id))
    expect(refund.form.amount).toBeUndefined()
    await eventually(
      () => scenario.harness.mailer.sent.find((mail) => /Duplicate payment refunded/.test(mail.subject)),
      15_000,
      'staff told'
    )
    // Redelivered success and the refund's own event: still one refund, the invoice untouched.
    const again = { ...late, id: `${late.id}_again` }
    await deliver(scenario, again)
    // One at a time: this file tests the per-event path (the batched one is webhooks/ work).
    await eventually(
      async () =>
        (await scenario.harness.runtime.models.webhookEvents.findOne({ _id: again.id }).lean())?.state ===
        'processed',
      15_000,
      'redelivery processed'
    )
    await deliver(
      scenario,
      eventFor(session.account, 'charge.refunded', {
        id: 'ch_duplicate',
        object: 'charge',
        payment_intent: scenario.fake.intentOf(session.id),
        amount: 21_000,
        amount_refunded: 21_000,
        metadata: session.metadata
      })
    )
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.amountRefundedMinor === 21_000,
      15_000,
      'refund recorded on the duplicate'
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await paymentOf(scenario, paymentId))?.status).toBe('duplicate')
    expect(await invoiceOf(scenario, invoice._id)).toMatchObject({
      status: 'paid',
      paymentId: secondPaymentId,
      amountRefundedMinor: 0
    })
    expect(
      scenario.fake
        .writesTo('/v1/refunds')
        .filter((r) => r.idempotencyKey === `duplicate-refund:${paymentId}`)
    ).toHaveLength(1)
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.invoiceId': invoice._id })).toBe(1)
    expect(await outboxCount(scenario, 'payment.refunded', { 'payload.invoiceId': invoice._id })).toBe(0)
    const receipts = scenario.harness.mailer.sent.filter(
      (mail) => mail.to === invoice.customer.email && /payment received/.test(mail.subject)
    )
    expect(receipts).toHaveLength(1)
    const revenueAfter = await scenario.harness.http.get('/payments/revenue', ava())
    const usd = revenueAfter.body.currencies.find((row: any) => row.currency === 'usd')
    expect(usd.payments).toBe(paymentsBefore + 1)
  })
})

describe('a success that does not match its invoice', () => {
  it('flags an amount mismatch to staff and leaves the invoice unpaid, without receipt or payment.succeeded', async () => {
    const { invoice, session, paymentId } = await openInvoice(scenario, 19_900)
    scenario.fake.completeSession(session.id, 'paid')
    await deliver(scenario, paidCompletion(session.id, { amount_total: 100 }))
    await statusOf(paymentId, 'needs_review')
    expect((await paymentOf(scenario, paymentId))?.review).toMatchObject({
      expectedMinor: 19_900,
      receivedMinor: 100,
      expectedCurrency: 'usd',
      receivedCurrency: 'usd'
    })
    const stored = await invoiceOf(scenario, invoice._id)
    expect(stored?.status).toBe('open')
    expect(stored?.paymentId).toBeUndefined()
    const alert = await eventually(
      () => scenario.harness.mailer.sent.find((mail) => /does not match invoice/.test(mail.subject)),
      15_000,
      'staff alert'
    )
    expect(alert.to).toBe('staff@ava-fit.test')
    expect(alert.text).toContain('$199.00')
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.invoiceId': invoice._id })).toBe(0)
    const again = await scenario.harness.http.post('/payments/checkout', { invoiceId: invoice._id }, ava())
    expect(again.status).toBe(409)
    expect(again.body.data.reason).toBe('PAYMENT_IN_REVIEW')
  })

  it('flags a currency mismatch reported by the provider', async () => {
    const { invoice, paymentId } = await openInvoice(scenario, 5_000)
    const tenantId = scenario.harness.tenants.ava._id
    const runtime = scenario.harness.runtime
    await runAsSystem('test', tenantId, async () => {
      const payment = (await runtime.models.payments.findOne({ _id: paymentId }).lean()) as Payment
      await fulfil(runtime, payment, { amountMinor: 5_000, currency: 'eur', paymentIntentId: 'pi_eur' })
    })
    expect(await paymentOf(scenario, paymentId)).toMatchObject({
      status: 'needs_review',
      review: { expectedCurrency: 'usd', receivedCurrency: 'eur' }
    })
    expect((await invoiceOf(scenario, invoice._id))?.status).toBe('open')
  })
})
