// The durable event bus on real MongoDB and Redis: outbox first, one delivery per handler, exactly-once
// effects despite duplicate enqueues, re-emission and retries, failed state and replay.
import { afterEach, describe, expect, it } from 'vitest'
import { runAsSystem, runInScope } from '../../src/context/request-scope.ts'
import { EVENT_DELIVERY_QUEUE } from '../../src/events/durable-event-bus.ts'
import { deliveryId } from '../../src/events/event-store.ts'
import { waitUntil } from '../jobs/wait-until.ts'
import { createEventBusFixture, type EventBusFixture } from './event-bus-fixture.ts'

let fixture: EventBusFixture | undefined
afterEach(async () => {
  await fixture?.close()
  fixture = undefined
})

async function setup(name: string): Promise<EventBusFixture> {
  fixture = await createEventBusFixture(name)
  return fixture
}

async function deliveryStatus(f: EventBusFixture, id: string) {
  return (await f.bus.store.deliveries.findOne({ _id: id }))?.status
}

describe('durable event bus', () => {
  it('records the event in the outbox and runs every subscribed handler once, in the event tenant', async () => {
    const f = await setup('bus-basic')
    const seen: { handler: string; tenantId?: string; actor: unknown; eventId: string }[] = []
    const { currentScope } = await import('../../src/context/request-scope.ts')
    f.bus.subscribe('note.created', 'mail.note-created', async (event) => {
      seen.push({
        handler: 'mail',
        tenantId: currentScope()?.tenantId,
        actor: currentScope()?.actor,
        eventId: event.id
      })
      await f.effect(`mail:${event.id}`)
    })
    f.bus.subscribe('note.created', 'search.note-created', async (event) => {
      seen.push({
        handler: 'search',
        tenantId: currentScope()?.tenantId,
        actor: currentScope()?.actor,
        eventId: event.id
      })
      await f.effect(`search:${event.id}`)
    })
    await f.startWorkers()
    const event = await runInScope(
      { requestId: 'req-1', tenantId: 'tenant-a', actor: { kind: 'anonymous' } },
      () => f.bus.emit('note.created', { noteId: 'n1', text: 'hello' })
    )
    expect(event).toMatchObject({
      name: 'note.created',
      tenantId: 'tenant-a',
      causationId: 'req-1',
      payload: { noteId: 'n1' }
    })
    const stored = await f.bus.store.outbox.findOne({ _id: event.id })
    expect(stored).toMatchObject({
      name: 'note.created',
      tenantId: 'tenant-a',
      payload: { noteId: 'n1', text: 'hello' }
    })
    await waitUntil(
      async () =>
        (await f.effectCount(`search:${event.id}`)) === 1 && (await f.effectCount(`mail:${event.id}`)) === 1
    )
    await waitUntil(
      async () => (await deliveryStatus(f, deliveryId(event.id, 'search.note-created'))) === 'completed'
    )
    await waitUntil(
      async () => (await deliveryStatus(f, deliveryId(event.id, 'mail.note-created'))) === 'completed'
    )
    expect(seen.map((entry) => entry.handler).sort()).toEqual(['mail', 'search'])
    for (const entry of seen) {
      expect(entry.tenantId).toBe('tenant-a')
      expect(entry.actor).toMatchObject({ kind: 'system' })
    }
    expect((await f.bus.store.outbox.findOne({ _id: event.id }))?.dispatchedAt).toBeInstanceOf(Date)
  })

  it('runs a delivery from the event its job carries (no outbox read), types as stored; large events are read', async () => {
    const f = await setup('bus-carried')
    const seen = new Map<string, { payload: any; occurredAt: string; tenantId: string | null }>()
    f.bus.subscribe('note.created', 'mail.note-created', async (event) => {
      seen.set(event.id, { payload: event.payload, occurredAt: event.occurredAt, tenantId: event.tenantId })
    })
    const at = new Date('2026-01-02T03:04:05.678Z')
    const small = await f.bus.emit(
      'note.created',
      { noteId: 'c1', text: 'short', at, gone: undefined } as any,
      {
        tenantId: 't1'
      }
    )
    const large = await f.bus.emit(
      'note.created',
      { noteId: 'c2', text: 'x'.repeat(20_000) },
      { tenantId: 't1' }
    )
    const jobs = await f.queues.queue(EVENT_DELIVERY_QUEUE).getJobs(['waiting'])
    const dataOf = (eventId: string) => jobs.find((job) => job.data.data.eventId === eventId)?.data.data
    expect(typeof dataOf(small.id)?.event).toBe('string')
    expect(dataOf(large.id)?.event).toBeUndefined()
    const stored = await f.bus.store.outbox.findOne({ _id: small.id })
    // The small event's run never reads the outbox: it runs even with the outbox record gone.
    await f.bus.store.outbox.deleteOne({ _id: small.id })
    await f.startWorkers()
    await waitUntil(() => seen.size === 2)
    // Exactly what an outbox read returns (the date a Date).
    expect(seen.get(small.id)).toEqual({
      payload: stored?.payload,
      occurredAt: small.occurredAt,
      tenantId: 't1'
    })
    expect(seen.get(small.id)?.payload).toMatchObject({ noteId: 'c1', text: 'short', at })
    expect(seen.get(large.id)?.payload.text).toHaveLength(20_000)
  })

  it('treats a re-emission with the same id as a no-op that returns the stored event', async () => {
    const f = await setup('bus-reemit')
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => f.effect(event.id))
    await f.startWorkers()
    const first = await f.bus.emit(
      'note.created',
      { noteId: 'n2', text: 'first' },
      { id: 'note-n2', tenantId: 't1' }
    )
    const second = await f.bus.emit(
      'note.created',
      { noteId: 'n2', text: 'second' },
      { id: 'note-n2', tenantId: 't1' }
    )
    expect(second).toEqual(first)
    expect(second.payload.text).toBe('first')
    expect(await f.bus.store.outbox.countDocuments({ _id: 'note-n2' })).toBe(1)
    await waitUntil(
      async () => (await deliveryStatus(f, deliveryId('note-n2', 'counter.note-created'))) === 'completed'
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await f.effectCount('note-n2')).toBe(1)
  })

  it('runs a handler once in effect when its job is enqueued twice', async () => {
    const f = await setup('bus-duplicate')
    let runs = 0
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => {
      runs++
      await f.effect(event.id)
    })
    const event = await f.bus.emit('note.created', { noteId: 'n3', text: 'x' }, { tenantId: 't1' })
    // Same job id again: Bull refuses the duplicate while the first exists.
    const queue = f.queues.queue(EVENT_DELIVERY_QUEUE)
    const envelope = { tenantId: null, data: { eventId: event.id, handler: 'counter.note-created' } }
    await queue.add(envelope, { jobId: deliveryId(event.id, 'counter.note-created') })
    // A different job id for the same (event, handler), as after the first job was already removed.
    await queue.add(envelope, { jobId: `${deliveryId(event.id, 'counter.note-created')}:again` })
    expect(await queue.getWaitingCount()).toBe(2)
    await f.startWorkers()
    await waitUntil(async () => (await queue.getCompletedCount()) === 2)
    expect(runs).toBe(1)
    expect(await f.effectCount(event.id)).toBe(1)
    const delivery = await f.bus.store.deliveries.findOne({
      _id: deliveryId(event.id, 'counter.note-created')
    })
    expect(delivery).toMatchObject({
      status: 'completed',
      attempts: 1,
      eventName: 'note.created',
      tenantId: 't1'
    })
  })

  it('retries a failing handler with backoff; steps wrapped in once() are not repeated', async () => {
    const f = await setup('bus-retry')
    const attempts: { attempt: number; at: number }[] = []
    f.bus.subscribe(
      'note.created',
      'invoice.note-created',
      async (event, ctx) => {
        attempts.push({ attempt: ctx.attempt, at: Date.now() })
        const invoiceId = await ctx.once('create-invoice', async () => {
          await f.effect(`invoice:${event.id}`)
          return `inv-${event.id}`
        })
        expect(invoiceId).toBe(`inv-${event.id}`)
        if (ctx.attempt < 3) throw new Error(`mail server down (attempt ${ctx.attempt})`)
        await f.effect(`mail:${event.id}`)
      },
      { attempts: 4, backoffMs: 100 }
    )
    await f.startWorkers()
    const event = await f.bus.emit('note.created', { noteId: 'n4', text: 'x' }, { tenantId: 't1' })
    const id = deliveryId(event.id, 'invoice.note-created')
    await waitUntil(async () => (await deliveryStatus(f, id)) === 'completed')
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3])
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(90)
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(190)
    expect(await f.effectCount(`invoice:${event.id}`)).toBe(1)
    expect(await f.effectCount(`mail:${event.id}`)).toBe(1)
    expect(await f.bus.store.deliveries.findOne({ _id: id })).toMatchObject({
      status: 'completed',
      attempts: 3
    })
  })

  it('lands a handler that keeps failing in a visible failed state, and replays it', async () => {
    const f = await setup('bus-failed')
    let broken = true
    let runs = 0
    f.bus.subscribe(
      'note.archived',
      'archive.note-archived',
      async (event) => {
        runs++
        if (broken) throw new Error('storage bucket missing')
        await f.effect(event.id)
      },
      { attempts: 2, backoffMs: 20 }
    )
    await f.startWorkers()
    const event = await f.bus.emit('note.archived', { noteId: 'n5' }, { tenantId: 't1' })
    const id = deliveryId(event.id, 'archive.note-archived')
    await waitUntil(async () => (await deliveryStatus(f, id)) === 'failed')
    expect(runs).toBe(2)
    const failed = await f.bus.store.deliveries.findOne({ _id: id })
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastError: { message: 'storage bucket missing' }
    })
    expect(failed?.failedAt).toBeInstanceOf(Date)
    const queue = f.queues.queue(EVENT_DELIVERY_QUEUE)
    const failedJobs = await queue.getFailed()
    expect(failedJobs.map((job) => job.id)).toEqual([id])
    expect(failedJobs[0].failedReason).toBe('storage bucket missing')

    await expect(f.bus.replay(deliveryId(event.id, 'nobody'))).rejects.toMatchObject({ code: 404 })
    broken = false
    const replayed = await f.bus.replay(id)
    expect(replayed).toMatchObject({ status: 'pending', replays: 1 })
    await waitUntil(async () => (await deliveryStatus(f, id)) === 'completed')
    expect(await f.effectCount(event.id)).toBe(1)
    expect(runs).toBe(3)
    await expect(f.bus.replay(id)).rejects.toMatchObject({
      code: 409,
      data: { code: 'CONFLICT', status: 'completed' }
    })
  })

  it('never marks a delivery failed while another run holds it; runs it once that lease lapses', async () => {
    const f = await setup('bus-busy')
    f.bus.subscribe('note.archived', 'archive.note-archived', async (event) => f.effect(event.id), {
      attempts: 2,
      backoffMs: 20
    })
    const event = await f.bus.emit('note.archived', { noteId: 'n6' }, { tenantId: 't1' })
    const id = deliveryId(event.id, 'archive.note-archived')
    // A run in a process that then died claimed the delivery; its lease lapses in 800 ms.
    const stored = await f.bus.store.outbox.findOne({ _id: event.id })
    const claim = await f.bus.store.claimDelivery(stored!, 'archive.note-archived', 800)
    expect(claim.state).toBe('claimed')
    await f.startWorkers()
    const statuses = new Set<string | undefined>()
    await waitUntil(async () => {
      const status = await deliveryStatus(f, id)
      statuses.add(status)
      return status === 'completed'
    })
    expect(statuses.has('failed')).toBe(false)
    expect(await f.effectCount(event.id)).toBe(1)
  })

  it('refuses bad event names and payloads with field errors and records nothing', async () => {
    const f = await setup('bus-invalid')
    await expect(f.bus.emit('Note Created' as any, { noteId: 'x' } as any)).rejects.toMatchObject({
      code: 400,
      data: { code: 'VALIDATION_FAILED' },
      errors: [{ path: 'name' }]
    })
    await expect(f.bus.emit('note.created', 'text' as any, { id: '' })).rejects.toMatchObject({
      code: 400,
      errors: [
        { path: 'payload', message: 'must be an object' },
        { path: 'id', message: 'must be a non-empty string of at most 200 characters' }
      ]
    })
    expect(await f.bus.store.outbox.countDocuments({})).toBe(0)
    expect(() => f.bus.subscribe('note.created', 'bad:name', async () => undefined)).toThrow(
      /Invalid event handler name/
    )
    f.bus.subscribe('note.created', 'dup.handler', async () => undefined)
    expect(() => f.bus.subscribe('note.created', 'dup.handler', async () => undefined)).toThrow(
      /subscribed twice/
    )
  })

  it('takes the tenant from the scope, or null for platform-level events', async () => {
    const f = await setup('bus-tenant')
    const scoped = await runAsSystem('seed', 'tenant-z', () => f.bus.emit('note.archived', { noteId: 'a' }))
    const platform = await f.bus.emit('note.archived', { noteId: 'b' })
    const explicit = await runAsSystem('seed', 'tenant-z', () =>
      f.bus.emit('note.archived', { noteId: 'c' }, { tenantId: null })
    )
    expect([scoped.tenantId, platform.tenantId, explicit.tenantId]).toEqual(['tenant-z', null, null])
    // No subscribers: recorded and immediately marked dispatched.
    expect((await f.bus.store.outbox.findOne({ _id: scoped.id }))?.dispatchedAt).toBeInstanceOf(Date)
  })
})
