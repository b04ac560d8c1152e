// The two processing paths decide alike: the same event sequence applied to one payment as one batch (all
// events folded in memory, one commit) and to a twin payment event by event (the job/replay path, one
// commit per event) ends in the same payment, invoice, domain events and recorded outcomes.
import { runAsSystem, trusted } from '@masterstage/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../../providers/payment-provider.ts'
import { processWebhookBatch } from '../../webhooks/process-webhook-batch.ts'
import { processWebhookEvent } from '../../webhooks/process-webhook-event.ts'
import {
  eventFor,
  intentSucceeded,
  invoiceOf,
  openInvoice,
  paymentOf,
  type StripeScenario,
  sessionCompleted,
  startStripeScenario
} from '../support/stripe-scenario.ts'

let scenario: StripeScenario

beforeAll(async () => {
  scenario = await startStripeScenario('paths-agree')
})
afterAll(() => scenario?.close())

const tenantId = () => scenario.harness.tenants.ava._id
const runtime = () => scenario.harness.runtime
type Session = Record<string, any>

const on = (session: Session, type: string, object: Record<string, any>) =>
  eventFor(session.account, type, object) as ProviderEvent
const completed = (paid: boolean) => (s: Session) =>
  sessionCompleted(s, paid ? 'paid' : 'unpaid') as ProviderEvent
const intent = (s: Session) => intentSucceeded(s) as ProviderEvent
const refunded = (amount: number) => (s: Session) =>
  on(s, 'charge.refunded', {
    id: `ch_${s.id}`,
    object: 'charge',
    payment_intent: s.payment_intent,
    amount: s.amount_total,
    amount_refunded: amount,
    metadata: s.metadata
  })
const sessionEvent = (type: string, status: string) => (s: Session) =>
  on(s, type, { ...s, status, payment_status: type.endsWith('succeeded') ? 'paid' : 'unpaid' })
const intentFailed = (s: Session) =>
  on(s, 'payment_intent.payment_failed', {
    id: s.payment_intent,
    object: 'payment_intent',
    last_payment_error: { message: 'card declined' },
    metadata: s.metadata
  })
const underpaid = (s: Session) =>
  on(s, 'payment_intent.succeeded', {
    id: s.payment_intent,
    object: 'payment_intent',
    amount: 9_000,
    amount_received: 9_000,
    metadata: s.metadata
  })
const disputed = (status: string) => (s: Session) =>
  on(s, `charge.dispute.${status === 'needs_response' ? 'created' : 'closed'}`, {
    id: `dp_${s.id}`,
    object: 'dispute',
    status,
    reason: 'fraudulent',
    amount: s.amount_total,
    payment_intent: s.payment_intent
  })

const SEQUENCES: Record<string, ((session: Session) => ProviderEvent)[]> = {
  'refund before the completion': [refunded(4_000), completed(true)],
  'intent success before the completion': [intent, completed(true)],
  'unpaid completion, then the async success': [
    completed(false),
    sessionEvent('checkout.session.async_payment_succeeded', 'complete')
  ],
  'async failure, then a success': [
    completed(false),
    sessionEvent('checkout.session.async_payment_failed', 'complete'),
    intent
  ],
  'expiry after the success': [completed(true), sessionEvent('checkout.session.expired', 'expired')],
  'expiry, then a late success': [sessionEvent('checkout.session.expired', 'expired'), completed(true)],
  'decline, then a full refund': [intentFailed, refunded(10_000)],
  'refunds growing, repeated': [completed(true), refunded(3_000), refunded(3_000), refunded(10_000)],
  'disputes opened twice, then closed': [
    completed(true),
    disputed('needs_response'),
    disputed('needs_response'),
    disputed('lost')
  ],
  'amount mismatch, then its refund': [underpaid, refunded(9_000)]
}

async function storeOnly(events: ProviderEvent[]) {
  const r = runtime()
  await r.models.webhookEvents.insertMany(
    events.map((event) => ({
      _id: event.id,
      type: event.type,
      provider: 'stripe',
      accountHash: r.accountHash(event.account!),
      tenantId: tenantId(),
      livemode: false,
      created: event.created,
      payload: JSON.stringify(event),
      state: 'received',
      attempts: 0,
      receivedAt: new Date(),
      source: 'webhook'
    })),
    { lean: true }
  )
}

/** What the sequence left, without what differs between twins (ids, times). */
async function outcome(opened: Awaited<ReturnType<typeof openInvoice>>, events: ProviderEvent[]) {
  const payment = (await paymentOf(scenario, opened.paymentId))!
  const invoice = (await invoiceOf(scenario, opened.invoice._id))!
  const bus = scenario.harness.app.get('events') as any
  const emitted = await bus.store.outbox
    .find({ 'payload.paymentId': opened.paymentId })
    .sort({ occurredAt: 1, _id: 1 })
    .toArray()
  const stored = await runtime()
    .models.webhookEvents.find({ _id: trusted({ $in: events.map((event) => event.id) }) })
    .lean()
  const byId = new Map<string, [string, string]>(
    stored.map((event: any) => [event._id, [event.state, event.reason]])
  )
  return {
    payment: {
      status: payment.status,
      amountMinor: payment.amountMinor,
      amountRefundedMinor: payment.amountRefundedMinor,
      failureReason: payment.failureReason,
      dispute: payment.dispute && { status: payment.dispute.status, reason: payment.dispute.reason },
      review: payment.review,
      hasIntent: Boolean(payment.paymentIntentId)
    },
    invoice: {
      status: invoice.status,
      paidByIt: invoice.paymentId === opened.paymentId,
      amountPaidMinor: invoice.amountPaidMinor,
      amountRefundedMinor: invoice.amountRefundedMinor,
      disputed: invoice.disputed,
      documentVersion: invoice.documentVersion
    },
    emitted: emitted
      .map((event: any) => {
        const { paymentId, invoiceId, invoiceNumber, receiptUrl, customerEmail, disputeId, ...rest } =
          event.payload
        return `${event.name} ${JSON.stringify(rest)}`
      })
      .sort(),
    recorded: events.map((event) => byId.get(event.id))
  }
}

describe('batched and per-event processing', () => {
  for (const [name, sequence] of Object.entries(SEQUENCES)) {
    it(`agree: ${name}`, async () => {
      const batched = await openInvoice(scenario, 10_000)
      const single = await openInvoice(scenario, 10_000)
      const batchEvents = sequence.map((build) => build(batched.session))
      const singleEvents = sequence.map((build) => build(single.session))
      await storeOnly([...batchEvents, ...singleEvents])
      await runAsSystem('test', tenantId(), async () => {
        await processWebhookBatch(
          runtime(),
          batchEvents.map((event) => ({ id: event.id, event }))
        )
        for (const event of singleEvents) await processWebhookEvent(runtime(), event.id)
      })
      const expected = await outcome(single, singleEvents)
      expect(await outcome(batched, batchEvents)).toEqual(expected)
      // Something happened, and every event is recorded as processed.
      expect(expected.recorded.every((entry) => entry?.[0] === 'processed')).toBe(true)
      expect(expected.payment.status).not.toBe('pending')
    })
  }
})
