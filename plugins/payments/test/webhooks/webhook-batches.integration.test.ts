// Batched webhook processing (one transaction per batch of a tenant's events): duplicates and reordering
// inside one batch have one effect each, a poisoned event falls back to per-event processing without
// holding back the others, a batch that dies before committing leaves its events replayable, and effects
// stay exactly once while the same ids arrive concurrently over HTTP and through replays.
import { runAsSystem, trusted } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { reconcilePayments } from '../../jobs/reconcile-payments.ts'
import type { ProviderEvent } from '../../providers/payment-provider.ts'
import {
  PROCESS_WEBHOOK_JOB,
  processBatch,
  processStoredEvents
} from '../../webhooks/process-after-answer.ts'
import { processWebhookBatch } from '../../webhooks/process-webhook-batch.ts'
import { processWebhookEvent } from '../../webhooks/process-webhook-event.ts'
import { insertReceipt } from '../../webhooks/receipt-group.ts'
import {
  deliver,
  eventFor,
  eventually,
  intentSucceeded,
  invoiceOf,
  openInvoice,
  outboxCount,
  paymentOf,
  runWithTenant,
  sessionCompleted,
  storeReceived,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('webhook-batches')

const tenantId = () => scenario.harness.tenants.ava._id
const runtime = () => scenario.harness.runtime

function refunded(session: Record<string, any>, amountRefunded: number) {
  return eventFor(session.account, 'charge.refunded', {
    id: `ch_${session.id}`,
    object: 'charge',
    payment_intent: session.payment_intent,
    amount: session.amount_total,
    amount_refunded: amountRefunded,
    metadata: session.metadata
  }) as ProviderEvent
}

function states(ids: string[]) {
  return runtime()
    .models.webhookEvents.find({ _id: trusted({ $in: ids }) })
    .lean()
    .then((events: any[]) => Object.fromEntries(events.map((event) => [event._id, event.state])))
}

function batch(events: ProviderEvent[]) {
  return runAsSystem('test', tenantId(), () =>
    processWebhookBatch(
      runtime(),
      events.map((event) => ({ id: event.id, event }))
    )
  )
}

describe('one batch', () => {
  it('applies duplicates (same id, and two success events of one payment) once', async () => {
    const a = await openInvoice(scenario, 12_000)
    const b = await openInvoice(scenario, 13_000)
    const aCompleted = sessionCompleted(a.session, 'paid')
    const aIntent = intentSucceeded(a.session)
    const bIntent = intentSucceeded(b.session)
    await storeReceived(scenario, [aCompleted, aIntent, bIntent])
    // aCompleted twice under its id, and aIntent: three successes of payment a in one transaction.
    await batch([aCompleted, aIntent, bIntent, aCompleted])
    for (const { paymentId, session, invoice } of [a, b]) {
      expect(await paymentOf(scenario, paymentId)).toMatchObject({
        status: 'succeeded',
        amountMinor: session.amount_total,
        paymentIntentId: session.payment_intent
      })
      expect(await invoiceOf(scenario, invoice._id)).toMatchObject({
        status: 'paid',
        paymentId,
        amountPaidMinor: session.amount_total
      })
      expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    }
    const stored = await runtime()
      .models.webhookEvents.find({ _id: trusted({ $in: [aCompleted.id, aIntent.id, bIntent.id] }) })
      .lean()
    expect(Object.fromEntries(stored.map((event: any) => [event._id, [event.state, event.reason]]))).toEqual({
      [aCompleted.id]: ['processed', 'applied'],
      [aIntent.id]: ['processed', 'unchanged'],
      [bIntent.id]: ['processed', 'applied']
    })
  })

  it('keeps the out-of-order and delayed-payment rules for events of one payment in one batch', async () => {
    const refundFirst = await openInvoice(scenario, 10_000)
    const intentFirst = await openInvoice(scenario)
    const delayed = await openInvoice(scenario)
    const unpaidOnly = await openInvoice(scenario)
    const expiredLate = await openInvoice(scenario)
    const events = [
      refunded(refundFirst.session, 4_000),
      sessionCompleted(refundFirst.session, 'paid'),
      intentSucceeded(intentFirst.session),
      sessionCompleted(intentFirst.session, 'paid'),
      sessionCompleted(delayed.session, 'unpaid'),
      eventFor(delayed.session.account, 'checkout.session.async_payment_succeeded', {
        ...delayed.session,
        status: 'complete',
        payment_status: 'paid'
      }) as ProviderEvent,
      sessionCompleted(unpaidOnly.session, 'unpaid'),
      sessionCompleted(expiredLate.session, 'paid'),
      eventFor(expiredLate.session.account, 'checkout.session.expired', {
        ...expiredLate.session,
        status: 'expired'
      }) as ProviderEvent
    ]
    await storeReceived(scenario, events)
    await batch(events)

    // A refund overtaking the success fulfils first; the late completion changes nothing.
    expect(await paymentOf(scenario, refundFirst.paymentId)).toMatchObject({
      status: 'partially_refunded',
      amountRefundedMinor: 4_000
    })
    expect(await invoiceOf(scenario, refundFirst.invoice._id)).toMatchObject({
      status: 'partially_refunded',
      amountRefundedMinor: 4_000
    })
    const refundedFilter = { 'payload.paymentId': refundFirst.paymentId }
    expect(await outboxCount(scenario, 'payment.succeeded', refundedFilter)).toBe(1)
    expect(await outboxCount(scenario, 'payment.refunded', refundedFilter)).toBe(1)
    // The intent's success before the session's completion: one success.
    expect((await paymentOf(scenario, intentFirst.paymentId))?.status).toBe('succeeded')
    expect(
      await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': intentFirst.paymentId })
    ).toBe(1)
    // Unpaid completion then the async success: fulfilled by the second only.
    expect((await paymentOf(scenario, delayed.paymentId))?.status).toBe('succeeded')
    expect((await invoiceOf(scenario, delayed.invoice._id))?.status).toBe('paid')
    // An unpaid completion alone waits: processing, invoice open, no success.
    expect(await paymentOf(scenario, unpaidOnly.paymentId)).toMatchObject({
      status: 'processing',
      paymentIntentId: unpaidOnly.session.payment_intent
    })
    expect((await invoiceOf(scenario, unpaidOnly.invoice._id))?.status).toBe('open')
    expect(
      await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': unpaidOnly.paymentId })
    ).toBe(0)
    // An expiry notice after the success does not undo it.
    expect((await paymentOf(scenario, expiredLate.paymentId))?.status).toBe('succeeded')
    expect(
      await outboxCount(scenario, 'payment.failed', { 'payload.paymentId': expiredLate.paymentId })
    ).toBe(0)
    expect(Object.values(await states(events.map((event) => event.id)))).toEqual(
      events.map(() => 'processed')
    )
  })

  it('leaves nothing applied when it dies before committing, and the stored events replay once', async () => {
    const a = await openInvoice(scenario)
    const b = await openInvoice(scenario)
    const events = [sessionCompleted(a.session, 'paid'), sessionCompleted(b.session, 'paid')]
    // Received two minutes ago: the reconciliation sweep takes stored events that stayed unprocessed.
    await storeReceived(scenario, events, new Date(Date.now() - 120_000))
    const bus = runtime().ctx.events
    const emitMany = bus.emitMany
    bus.emitMany = (async (...args: Parameters<typeof emitMany>) => {
      // The process "dies" after the batch's payment, invoice and outbox writes, before it commits.
      await emitMany.apply(bus, args)
      throw new Error('simulated crash inside the batch')
    }) as typeof emitMany
    try {
      await expect(batch(events)).rejects.toThrow('simulated crash')
    } finally {
      bus.emitMany = emitMany
    }
    for (const { paymentId, invoice } of [a, b]) {
      expect((await paymentOf(scenario, paymentId))?.status).toBe('pending')
      expect((await invoiceOf(scenario, invoice._id))?.status).toBe('open')
      expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(0)
    }
    expect(await states(events.map((event) => event.id))).toEqual({
      [events[0].id]: 'received',
      [events[1].id]: 'received'
    })
    const report = await runAsSystem('test', tenantId(), () => reconcilePayments(runtime()))
    expect(report.replayed).toBeGreaterThanOrEqual(2)
    await runAsSystem('test', tenantId(), () => reconcilePayments(runtime()))
    for (const { paymentId } of [a, b]) {
      expect((await paymentOf(scenario, paymentId))?.status).toBe('succeeded')
      expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    }
    expect(Object.values(await states(events.map((event) => event.id)))).toEqual(['processed', 'processed'])
  })
})

describe('one batch and the one-payment-per-invoice rule', () => {
  it('makes a second success for the same invoice a duplicate and a wrong amount a review, as per event', async () => {
    const first = await openInvoice(scenario, 15_000)
    // A second attempt for the same invoice (a lost race): same invoice, its own payment.
    const secondId = `pay_second_${Date.now()}`
    await runWithTenant(scenario, async () => {
      const payment = (await runtime().models.payments.findOne({ _id: first.paymentId }).lean()) as any
      const { _id, createdAt, updatedAt, tenantId: _tenant, ...rest } = payment
      await runtime().models.payments.create({
        ...rest,
        _id: secondId,
        attempt: 2,
        idempotencyKey: `${payment.idempotencyKey}:2`
      })
    })
    const mismatched = await openInvoice(scenario, 16_000)
    const success = (paymentId: string, intent: string, amount: number) =>
      eventFor(first.session.account, 'payment_intent.succeeded', {
        id: intent,
        object: 'payment_intent',
        amount,
        amount_received: amount,
        currency: 'usd',
        metadata: { paymentId, tenantId: tenantId() }
      }) as ProviderEvent
    const events = [
      success(first.paymentId, `pi_first_${secondId}`, 15_000),
      success(secondId, `pi_second_${secondId}`, 15_000),
      eventFor(first.session.account, 'charge.refunded', {
        id: `ch_second_${secondId}`,
        object: 'charge',
        payment_intent: `pi_second_${secondId}`,
        amount: 15_000,
        amount_refunded: 15_000,
        metadata: { paymentId: secondId }
      }) as ProviderEvent,
      success(mismatched.paymentId, `pi_mismatch_${secondId}`, 9_000)
    ]
    await storeReceived(scenario, events)
    await batch(events)

    expect((await paymentOf(scenario, first.paymentId))?.status).toBe('succeeded')
    expect(await invoiceOf(scenario, first.invoice._id)).toMatchObject({
      status: 'paid',
      paymentId: first.paymentId
    })
    expect(await paymentOf(scenario, secondId)).toMatchObject({
      status: 'duplicate',
      duplicateOf: first.paymentId,
      amountRefundedMinor: 15_000
    })
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': secondId })).toBe(0)
    expect(await outboxCount(scenario, 'payment.duplicate', { 'payload.paymentId': secondId })).toBe(1)
    expect(await outboxCount(scenario, 'payment.refunded', { 'payload.paymentId': secondId })).toBe(0)
    expect(await paymentOf(scenario, mismatched.paymentId)).toMatchObject({
      status: 'needs_review',
      review: { expectedMinor: 16_000, receivedMinor: 9_000 }
    })
    expect((await invoiceOf(scenario, mismatched.invoice._id))?.status).toBe('open')
    expect(
      await outboxCount(scenario, 'payment.mismatched', { 'payload.paymentId': mismatched.paymentId })
    ).toBe(1)
    expect(
      await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': mismatched.paymentId })
    ).toBe(0)
  })
})

describe('a poisoned event in a batch', () => {
  it('fails the grouped job (so Bull retries it) when a failing event cannot be handed to its own job', async () => {
    const good = await openInvoice(scenario)
    const poisoned = await openInvoice(scenario)
    await runWithTenant(scenario, () =>
      runtime().models.invoices.deleteOne({ _id: poisoned.invoice._id }).exec()
    )
    const events = [sessionCompleted(good.session, 'paid'), sessionCompleted(poisoned.session, 'paid')]
    await storeReceived(scenario, events)
    const jobs = runtime().ctx.jobs
    const enqueue = jobs.enqueue
    jobs.enqueue = (async () => {
      throw new Error('Redis is not reachable')
    }) as typeof enqueue
    try {
      await expect(
        runWithTenant(scenario, () =>
          processStoredEvents(
            runtime(),
            events.map((event) => event.id)
          )
        )
      ).rejects.toThrow(/1 of 2 webhook events not processed/)
    } finally {
      jobs.enqueue = enqueue
    }
    expect((await paymentOf(scenario, good.paymentId))?.status).toBe('succeeded')
    // The retry re-reads only what is still unprocessed: the good event is not applied twice.
    expect(await states(events.map((event) => event.id))).toEqual({
      [events[0].id]: 'processed',
      [events[1].id]: 'failed'
    })
  })

  it('does not block the others: they are processed, it fails alone and goes to the retrying job', async () => {
    const good = [await openInvoice(scenario), await openInvoice(scenario)]
    const poisoned = await openInvoice(scenario)
    // Its invoice vanished: fulfilling it throws, which rolls back the whole batch transaction.
    await runWithTenant(scenario, () =>
      runtime().models.invoices.deleteOne({ _id: poisoned.invoice._id }).exec()
    )
    const events = [
      sessionCompleted(good[0].session, 'paid'),
      sessionCompleted(poisoned.session, 'paid'),
      sessionCompleted(good[1].session, 'paid')
    ]
    await storeReceived(scenario, events)
    const queued: string[] = []
    const jobs = runtime().ctx.jobs
    const enqueue = jobs.enqueue
    jobs.enqueue = (async (name: string, data: any) => {
      queued.push(`${name}:${data.eventId}`)
    }) as typeof enqueue
    try {
      await processBatch(runtime(), tenantId(), events)
    } finally {
      jobs.enqueue = enqueue
    }
    for (const { paymentId } of good) {
      expect((await paymentOf(scenario, paymentId))?.status).toBe('succeeded')
      expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    }
    expect((await paymentOf(scenario, poisoned.paymentId))?.status).toBe('pending')
    expect(await states(events.map((event) => event.id))).toEqual({
      [events[0].id]: 'processed',
      [events[1].id]: 'failed',
      [events[2].id]: 'processed'
    })
    const stored = await runtime().models.webhookEvents.findById(events[1].id).lean()
    expect(stored).toMatchObject({ attempts: 1, reason: expect.stringContaining('not found') })
    expect(queued).toEqual([`${PROCESS_WEBHOOK_JOB}:${events[1].id}`])
  })
})

describe('concurrent delivery of the same ids', () => {
  it('has each effect exactly once over HTTP batches racing replays of the stored events', async () => {
    const opened = []
    for (let index = 0; index < 30; index++) opened.push(await openInvoice(scenario, 2_000 + index))
    const events = opened.flatMap(({ session }, index) =>
      index % 3 === 0
        ? [sessionCompleted(session, 'paid'), intentSucceeded(session)]
        : index % 3 === 1
          ? [intentSucceeded(session), refunded(session, session.amount_total)]
          : [sessionCompleted(session, 'paid')]
    )
    const ids = events.map((event) => event.id)
    // Every event four times at once over HTTP, while replays (the job's path, reading the stored copy)
    // run for the same ids as soon as they are stored.
    const deliveries = [...events, ...events, ...events, ...events].map((event) => deliver(scenario, event))
    const replays = events.map(async (event) => {
      await eventually(
        async () => (await runtime().models.webhookEvents.countDocuments({ _id: event.id })) === 1,
        30_000,
        'stored'
      )
      await runAsSystem('test', tenantId(), () => processWebhookEvent(runtime(), event.id)).catch(() => {})
    })
    const answers = await Promise.all(deliveries)
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200))
    expect(answers.filter((answer) => answer.body.duplicate === false)).toHaveLength(events.length)
    await Promise.all(replays)
    await eventually(
      async () =>
        (await runtime().models.webhookEvents.countDocuments({
          _id: trusted({ $in: ids }),
          state: 'processed'
        })) === ids.length,
      60_000,
      'every event processed'
    )
    for (const [index, { paymentId, session }] of opened.entries()) {
      const payment = await paymentOf(scenario, paymentId)
      expect(payment?.status).toBe(index % 3 === 1 ? 'refunded' : 'succeeded')
      expect(payment?.amountMinor).toBe(session.amount_total)
      expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
      expect(await outboxCount(scenario, 'payment.refunded', { 'payload.paymentId': paymentId })).toBe(
        index % 3 === 1 ? 1 : 0
      )
    }
  }, 120_000)
})

describe('receipts stored in groups', () => {
  it('maps each document of a group to its own fate: stored, duplicate (also within the group) or failed', async () => {
    const r = runtime()
    const model = r.models.webhookEvents
    const insertMany = model.insertMany as unknown as (documents: any[], options: any) => Promise<unknown>
    const document = (id: string) => ({
      _id: id,
      type: 'payment_intent.succeeded',
      provider: 'stripe' as const,
      accountHash: null,
      tenantId: null,
      livemode: false,
      created: 0,
      payload: '{}',
      state: 'ignored' as const,
      attempts: 0,
      receivedAt: new Date(),
      source: 'webhook' as const
    })
    const suffix = Date.now()
    const [a, b, c] = [`evt_group_a_${suffix}`, `evt_group_b_${suffix}`, `evt_group_c_${suffix}`]
    const groups: string[][] = []
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    model.insertMany = (async (documents: any[], options: any) => {
      groups.push(documents.map((doc) => doc._id))
      // The first group is held in flight, so the next three stores wait and share the second group.
      if (groups.length === 1) {
        await held
        return insertMany.call(model, documents, options)
      }
      // The second group: the duplicate is refused by the database, the last document fails otherwise.
      const error: any = await insertMany
        .call(model, documents.slice(0, 2), options)
        .then(() => new Error('expected a duplicate key'))
        .catch((caught: any) => caught)
      error.writeErrors = [
        ...(error.writeErrors ?? []),
        { index: 2, code: 2, errmsg: 'simulated write error' }
      ]
      throw error
    }) as unknown as typeof model.insertMany
    try {
      const first = insertReceipt(r, document(a))
      const rest = [
        insertReceipt(r, document(b)),
        insertReceipt(r, document(b)),
        insertReceipt(r, document(c))
      ]
      release()
      expect(await first).toBe(true)
      const settled = await Promise.allSettled(rest)
      expect(settled.map((result) => (result.status === 'fulfilled' ? result.value : 'rejected'))).toEqual([
        true,
        false,
        'rejected'
      ])
    } finally {
      model.insertMany = insertMany as unknown as typeof model.insertMany
    }
    expect(groups).toEqual([[a], [b, b, c]])
    expect(await model.countDocuments({ _id: trusted({ $in: [a, b, c] }) })).toBe(2)
  })

  it('answers 5xx to every delivery of a group whose insert failed without per-document errors', async () => {
    const model = runtime().models.webhookEvents
    const insertMany = model.insertMany
    const { session, paymentId } = await openInvoice(scenario)
    const event = sessionCompleted(session, 'paid')
    model.insertMany = (async () => {
      throw new Error('connection reset')
    }) as unknown as typeof insertMany
    try {
      const answers = await Promise.all([deliver(scenario, event), deliver(scenario, event)])
      expect(answers.map((answer) => answer.status)).toEqual([500, 500])
    } finally {
      model.insertMany = insertMany
    }
    expect(await model.countDocuments({ _id: event.id })).toBe(0)
    expect((await deliver(scenario, event)).body).toMatchObject({ duplicate: false })
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'succeeded'
    )
  })
})
