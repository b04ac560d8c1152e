// The three processing paths decide alike, and as the payment rules (domain/payment-rules.ts) say: the same
// event sequence applied to one payment as one batch (all events folded in memory, one commit), to a twin
// event by event (the job/replay path, one commit per event), and to a third twin through `transition()`
// (domain/payment-transitions.ts: the path reconciliation and refund updates write through) ends in the
// expected payment, invoice and domain events, and the first two record the same outcomes.
import { runAsSystem, trusted } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { transition } from '../../domain/payment-transitions.ts'
import type { ProviderEvent } from '../../providers/payment-provider.ts'
import { eventStep } from '../../webhooks/event-step.ts'
import { processWebhookBatch } from '../../webhooks/process-webhook-batch.ts'
import { processWebhookEvent } from '../../webhooks/process-webhook-event.ts'
import {
  eventFor,
  intentSucceeded,
  invoiceOf,
  openInvoice,
  paymentOf,
  sessionCompleted,
  storeReceived,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('paths-agree')

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

type Build = (session: Session) => ProviderEvent
interface Expected {
  payment: string
  amountRefundedMinor: number
  invoice: string
  /** Domain events of the payment, by name, sorted. */
  emitted: string[]
}

// Invoices of 10,000; the expectations follow the rules: payments only move forward, a refund implies the
// success, an expiry only while nothing happened, a success after a decline or expiry still counts, an
// amount that does not match the invoice is kept for review and its refund touches only the payment.
const SEQUENCES: Record<string, { events: Build[]; expected: Expected }> = {
  'refund before the completion': {
    events: [refunded(4_000), completed(true)],
    expected: {
      payment: 'partially_refunded',
      amountRefundedMinor: 4_000,
      invoice: 'partially_refunded',
      emitted: ['payment.refunded', 'payment.succeeded']
    }
  },
  'intent success before the completion': {
    events: [intent, completed(true)],
    expected: {
      payment: 'succeeded',
      amountRefundedMinor: 0,
      invoice: 'paid',
      emitted: ['payment.succeeded']
    }
  },
  'unpaid completion, then the async success': {
    events: [completed(false), sessionEvent('checkout.session.async_payment_succeeded', 'complete')],
    expected: {
      payment: 'succeeded',
      amountRefundedMinor: 0,
      invoice: 'paid',
      emitted: ['payment.succeeded']
    }
  },
  'async failure, then a success': {
    events: [completed(false), sessionEvent('checkout.session.async_payment_failed', 'complete'), intent],
    expected: {
      payment: 'succeeded',
      amountRefundedMinor: 0,
      invoice: 'paid',
      emitted: ['payment.failed', 'payment.succeeded']
    }
  },
  'expiry after the success': {
    events: [completed(true), sessionEvent('checkout.session.expired', 'expired')],
    expected: {
      payment: 'succeeded',
      amountRefundedMinor: 0,
      invoice: 'paid',
      emitted: ['payment.succeeded']
    }
  },
  'expiry, then a late success': {
    events: [sessionEvent('checkout.session.expired', 'expired'), completed(true)],
    expected: {
      payment: 'succeeded',
      amountRefundedMinor: 0,
      invoice: 'paid',
      emitted: ['payment.failed', 'payment.succeeded']
    }
  },
  'decline, then a full refund': {
    events: [intentFailed, refunded(10_000)],
    expected: {
      payment: 'refunded',
      amountRefundedMinor: 10_000,
      invoice: 'refunded',
      emitted: ['payment.failed', 'payment.refunded', 'payment.succeeded']
    }
  },
  'refunds growing, repeated': {
    events: [completed(true), refunded(3_000), refunded(3_000), refunded(10_000)],
    expected: {
      payment: 'refunded',
      amountRefundedMinor: 10_000,
      invoice: 'refunded',
      emitted: ['payment.refunded', 'payment.refunded', 'payment.succeeded']
    }
  },
  'disputes opened twice, then closed': {
    events: [completed(true), disputed('needs_response'), disputed('needs_response'), disputed('lost')],
    expected: {
      payment: 'succeeded',
      amountRefundedMinor: 0,
      invoice: 'paid',
      emitted: ['payment.disputed', 'payment.disputed', 'payment.succeeded']
    }
  },
  'amount mismatch, then its refund': {
    events: [underpaid, refunded(9_000)],
    expected: {
      payment: 'needs_review',
      amountRefundedMinor: 9_000,
      invoice: 'open',
      emitted: ['payment.mismatched']
    }
  }
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

/** What the rules' expectation says about an outcome. */
function summary(result: Awaited<ReturnType<typeof outcome>>): Expected {
  return {
    payment: result.payment.status,
    amountRefundedMinor: result.payment.amountRefundedMinor,
    invoice: result.invoice.status,
    emitted: result.emitted.map((entry: string) => entry.split(' ')[0]).sort()
  }
}

describe('batched, per-event and transition() processing', () => {
  for (const [name, { events: sequence, expected }] of Object.entries(SEQUENCES)) {
    it(`agree with the rules: ${name}`, async () => {
      const batched = await openInvoice(scenario, 10_000)
      const single = await openInvoice(scenario, 10_000)
      const transitioned = await openInvoice(scenario, 10_000)
      const batchEvents = sequence.map((build) => build(batched.session))
      const singleEvents = sequence.map((build) => build(single.session))
      const transitionEvents = sequence.map((build) => build(transitioned.session))
      await storeReceived(scenario, [...batchEvents, ...singleEvents])
      await runAsSystem('test', tenantId(), async () => {
        await processWebhookBatch(
          runtime(),
          batchEvents.map((event) => ({ id: event.id, event }))
        )
        for (const event of singleEvents) await processWebhookEvent(runtime(), event.id)
        // Not stored as webhook events: each event's rule written by transition(), one transaction each.
        for (const event of transitionEvents)
          await transition(
            runtime(),
            transitioned.paymentId,
            (payment, invoice, context) => eventStep(event, payment, invoice, context).step
          )
      })
      const bySingle = await outcome(single, singleEvents)
      const byBatch = await outcome(batched, batchEvents)
      const byTransition = await outcome(transitioned, transitionEvents)
      expect(summary(bySingle)).toEqual(expected)
      expect(summary(byBatch)).toEqual(expected)
      expect(summary(byTransition)).toEqual(expected)
      // Beyond the expectation: every field compared, and the two webhook paths record the same outcomes.
      expect(byBatch).toEqual(bySingle)
      expect({ ...byTransition, recorded: bySingle.recorded }).toEqual(bySingle)
      expect(bySingle.recorded.every((entry) => entry?.[0] === 'processed')).toBe(true)
    })
  }
})
