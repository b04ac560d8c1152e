// The webhook hot path under a burst: more events than the in-flight bound are processed in this process
// (no queue round trips), each payment once despite duplicates; account routes come from memory after
// the first lookup, and an account missing at first is found once its route is written.
import { trusted } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { forgetRoute, routeOf } from '../../webhooks/account-route-cache.ts'
import { PROCESS_WEBHOOK_JOB, PROCESS_WEBHOOKS_JOB } from '../../webhooks/process-after-answer.ts'
import {
  deliver,
  eventually,
  intentSucceeded,
  openInvoice,
  outboxCount,
  paymentOf,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('webhook-hot-path')

/** `count` invoices opened for payment (amounts from `firstAmount` up) and a success event for each. */
async function openBurst(count: number, firstAmount: number) {
  const opened = []
  for (let index = 0; index < count; index++) opened.push(await openInvoice(scenario, firstAmount + index))
  return { opened, events: opened.map(({ session }) => intentSucceeded(session)) }
}

/** Records the jobs the plugin enqueues (still enqueuing them) until `restore`. */
function recordEnqueued() {
  const { jobs } = scenario.harness.runtime.ctx
  const queued: { name: string; data: any }[] = []
  const enqueue = jobs.enqueue
  jobs.enqueue = ((name: string, data: unknown, ...rest: unknown[]) => {
    queued.push({ name, data })
    return (enqueue as any).call(jobs, name, data, ...rest)
  }) as typeof enqueue
  return { queued, restore: () => (jobs.enqueue = enqueue) }
}

/** Every event delivered twice, all at once; each delivery answered 200. */
async function deliverTwice(events: { id: string }[]) {
  const answers = await Promise.all([...events, ...events].map((event) => deliver(scenario, event)))
  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200))
  return answers
}

/** Waits until every event is stored as processed. */
function allProcessed(events: { id: string }[], what: string) {
  const { runtime } = scenario.harness
  return eventually(
    async () =>
      (await runtime.models.webhookEvents.countDocuments({
        _id: trusted({ $in: events.map((event) => event.id) }),
        state: 'processed'
      })) === events.length,
    30_000,
    what
  )
}

describe('a burst of success events', () => {
  it('is processed in this process beyond the in-flight bound, one success per payment', async () => {
    const { opened, events } = await openBurst(12, 1_000)
    const { queued, restore } = recordEnqueued()
    try {
      // Every event twice, all at once: 24 deliveries, more than the batches in flight take; the rest wait
      // in memory (within MAX_WAITING), none through the durable job.
      const answers = await deliverTwice(events)
      expect(answers.filter((answer) => answer.body.duplicate === false)).toHaveLength(events.length)
      await allProcessed(events, 'every event processed')
    } finally {
      restore()
    }
    expect(queued.filter((job) => job.name === PROCESS_WEBHOOK_JOB)).toEqual([])
    for (const { paymentId, session } of opened) {
      expect(await paymentOf(scenario, paymentId)).toMatchObject({
        status: 'succeeded',
        amountMinor: session.amount_total,
        paymentIntentId: session.payment_intent
      })
      expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    }
  }, 120_000)
})

describe('a burst in a process that does not run the workers', () => {
  it('goes to the durable queue as one job per group of stored events, each payment once', async () => {
    const { runtime } = scenario.harness
    const { opened, events } = await openBurst(6, 2_000)
    const { queued, restore } = recordEnqueued()
    // As an API process without workers decides; the job itself is run by this test app's workers. The
    // plugin's config is frozen: the test hands the plugin a copy with the flag off, then the original.
    const context = runtime.ctx as { config: typeof runtime.ctx.config }
    const config = context.config
    context.config = { ...config, runWorkersInProcess: false }
    try {
      await deliverTwice(events)
      await allProcessed(events, 'every event processed through the queue')
    } finally {
      context.config = config
      restore()
    }
    // Each stored event in exactly one grouped job, fewer jobs than events, none per event.
    expect(queued.filter((job) => job.name === PROCESS_WEBHOOK_JOB)).toEqual([])
    const grouped = queued.filter((job) => job.name === PROCESS_WEBHOOKS_JOB)
    expect(grouped.flatMap((job) => job.data.eventIds).sort()).toEqual(events.map((event) => event.id).sort())
    expect(grouped.length).toBeLessThan(events.length)
    for (const { paymentId } of opened) {
      expect((await paymentOf(scenario, paymentId))?.status).toBe('succeeded')
      expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
    }
  }, 120_000)
})

describe('account routes', () => {
  it('are read from the database once, and a missing route is looked up again until it exists', async () => {
    const { runtime } = scenario.harness
    const tenantId = scenario.harness.tenants.ava._id
    const accountHash = runtime.accountHash(`acct_later_${Date.now()}`)
    const findById = runtime.models.routes.findById
    let reads = 0
    runtime.models.routes.findById = ((...args: unknown[]) => {
      reads++
      return (findById as any).apply(runtime.models.routes, args)
    }) as typeof findById
    try {
      expect(await routeOf(runtime, accountHash)).toBeNull()
      expect(await routeOf(runtime, accountHash)).toBeNull()
      expect(reads).toBe(2)
      await runtime.models.routes.create({
        _id: accountHash,
        tenantId,
        provider: 'stripe',
        createdAt: new Date()
      })
      expect(await routeOf(runtime, accountHash)).toMatchObject({ tenantId })
      expect(await routeOf(runtime, accountHash)).toMatchObject({ tenantId })
      expect(reads).toBe(3)
      await runtime.models.routes.deleteOne({ _id: accountHash })
      forgetRoute(runtime, accountHash)
      expect(await routeOf(runtime, accountHash)).toBeNull()
      expect(reads).toBe(4)
    } finally {
      runtime.models.routes.findById = findById
    }
  })
})
