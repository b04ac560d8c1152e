// Delivery runs fenced by their claim token on real MongoDB and Redis: a run whose lease was taken
// over writes nothing, completed is never downgraded, live runs renew their lease, once() claims first.
import { afterEach, describe, expect, it } from 'vitest'
import { deliveryId } from '../../src/events/event-store.ts'
import { waitUntil } from '../jobs/wait-until.ts'
import { createEventBusFixture, type EventBusFixture } from './event-bus-fixture.ts'

let fixture: EventBusFixture | undefined
afterEach(async () => {
  await fixture?.close()
  fixture = undefined
})

const HANDLER = 'archive.note-archived'
const job = { opts: { attempts: 3 }, discard: async () => undefined } as any

/** A promise plus its resolver, so a test decides when a handler run finishes. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

async function delivery(f: EventBusFixture, eventId: string) {
  return f.bus.store.deliveries.findOne({ _id: deliveryId(eventId, HANDLER) })
}

/** Lets the current lease lapse now, as when its holder stalled past it. */
async function expireLease(f: EventBusFixture, eventId: string) {
  await f.bus.store.deliveries.updateOne(
    { _id: deliveryId(eventId, HANDLER) },
    { $set: { leaseUntil: new Date(0) } }
  )
}

describe('delivery fencing', () => {
  it('drops the completion of a run whose lease was taken over while the takeover still runs', async () => {
    fixture = await createEventBusFixture('fencing-stale-complete')
    const f = fixture
    const gates = [gate(), gate()]
    let run = 0
    f.bus.subscribe('note.archived', HANDLER, async () => {
      const mine = gates[run++]
      await mine.opened
      if (mine === gates[1]) throw new Error('takeover failed')
    })
    const event = await f.bus.emit('note.archived', { noteId: 'f1' }, { tenantId: 't1' })
    const data = { eventId: event.id, handler: HANDLER }
    const stale = f.bus.deliver(data, { attempt: 1, job })
    await waitUntil(() => run === 1)
    const staleRunId = (await delivery(f, event.id))?.runId
    await expireLease(f, event.id)
    const takeover = f.bus.deliver(data, { attempt: 2, job })
    await waitUntil(() => run === 2)
    const takeoverRunId = (await delivery(f, event.id))?.runId
    expect(takeoverRunId).toBeDefined()
    expect(takeoverRunId).not.toBe(staleRunId)

    gates[0].open()
    await stale
    expect(await delivery(f, event.id)).toMatchObject({ status: 'running', runId: takeoverRunId })

    gates[1].open()
    await expect(takeover).rejects.toThrow('takeover failed')
    expect(await delivery(f, event.id)).toMatchObject({
      status: 'retrying',
      lastError: { message: 'takeover failed' }
    })
  })

  it('never downgrades a completed delivery when a stale run fails afterwards', async () => {
    fixture = await createEventBusFixture('fencing-no-downgrade')
    const f = fixture
    const gates = [gate(), gate()]
    let run = 0
    f.bus.subscribe('note.archived', HANDLER, async (event) => {
      const mine = gates[run++]
      await mine.opened
      if (mine === gates[0]) throw new Error('stale run failed late')
      await f.effect(event.id)
    })
    const event = await f.bus.emit('note.archived', { noteId: 'f2' }, { tenantId: 't1' })
    const data = { eventId: event.id, handler: HANDLER }
    const stale = f.bus.deliver(data, { attempt: 3, job })
    await waitUntil(() => run === 1)
    await expireLease(f, event.id)
    const takeover = f.bus.deliver(data, { attempt: 1, job })
    await waitUntil(() => run === 2)
    gates[1].open()
    await takeover
    expect((await delivery(f, event.id))?.status).toBe('completed')

    gates[0].open()
    await expect(stale).rejects.toThrow('stale run failed late')
    expect(await delivery(f, event.id)).toMatchObject({ status: 'completed' })
    expect((await delivery(f, event.id))?.lastError).toBeUndefined()
    // A duplicate job now skips: the handler does not run a third time.
    await f.bus.deliver(data, { attempt: 1, job })
    expect(run).toBe(2)
    expect(await f.effectCount(event.id)).toBe(1)
  })

  it('renews the lease while the handler runs, so a duplicate job finds it busy', async () => {
    fixture = await createEventBusFixture('fencing-renewal', { bus: { deliveryLeaseMs: 300 } })
    const f = fixture
    let runs = 0
    const slow = gate()
    f.bus.subscribe('note.archived', HANDLER, async (event) => {
      runs++
      await slow.opened
      await f.effect(event.id)
    })
    const event = await f.bus.emit('note.archived', { noteId: 'f3' }, { tenantId: 't1' })
    const data = { eventId: event.id, handler: HANDLER }
    const first = f.bus.deliver(data, { attempt: 1, job })
    await waitUntil(() => runs === 1)
    // Three lease lengths later the holder is alive and must still own the delivery.
    await new Promise((resolve) => setTimeout(resolve, 900))
    await expect(f.bus.deliver(data, { attempt: 1, job })).rejects.toThrow(/held by another run/)
    expect(runs).toBe(1)
    slow.open()
    await first
    expect((await delivery(f, event.id))?.status).toBe('completed')
    expect(await f.effectCount(event.id)).toBe(1)
  })

  it('once(): two concurrent runs of one step execute it once; the loser retries later', async () => {
    fixture = await createEventBusFixture('fencing-once')
    const f = fixture
    const stepGate = gate()
    let handlerRuns = 0
    let stepRuns = 0
    f.bus.subscribe('note.archived', HANDLER, async (event, ctx) => {
      handlerRuns++
      const invoice = await ctx.once('create-invoice', async () => {
        stepRuns++
        await stepGate.opened
        await f.effect(`invoice:${event.id}`)
        return `inv-${event.id}`
      })
      expect(invoice).toBe(`inv-${event.id}`)
    })
    const event = await f.bus.emit('note.archived', { noteId: 'f4' }, { tenantId: 't1' })
    const data = { eventId: event.id, handler: HANDLER }
    const first = f.bus.deliver(data, { attempt: 1, job })
    await waitUntil(() => stepRuns === 1)
    await expireLease(f, event.id)
    await expect(f.bus.deliver(data, { attempt: 2, job })).rejects.toThrow(/running in another run/)
    expect(handlerRuns).toBe(2)
    expect(stepRuns).toBe(1)
    stepGate.open()
    await first
    // The takeover's retry finds the step done and reuses its result.
    await f.bus.deliver(data, { attempt: 3, job })
    expect(stepRuns).toBe(1)
    expect(await f.effectCount(`invoice:${event.id}`)).toBe(1)
    expect((await delivery(f, event.id))?.status).toBe('completed')
  })

  it('once(): a pending step whose run died is taken over after its lease lapses', async () => {
    fixture = await createEventBusFixture('fencing-once-crash', { bus: { deliveryLeaseMs: 200 } })
    const f = fixture
    let stepRuns = 0
    f.bus.subscribe('note.archived', HANDLER, async (event, ctx) => {
      await ctx.once('create-invoice', async () => {
        stepRuns++
        await f.effect(`invoice:${event.id}`)
        return 'inv'
      })
    })
    const event = await f.bus.emit('note.archived', { noteId: 'f5' }, { tenantId: 't1' })
    const id = `${deliveryId(event.id, HANDLER)}:create-invoice`
    // A run that crashed inside the step left its pending record (lease lapsed, no renewal).
    await f.bus.store.effects.insertOne({
      _id: id,
      state: 'pending',
      runId: 'dead-run',
      leaseUntil: new Date(Date.now() - 1),
      result: null,
      at: new Date()
    })
    await f.bus.deliver({ eventId: event.id, handler: HANDLER }, { attempt: 1, job })
    expect(stepRuns).toBe(1)
    expect(await f.bus.store.effects.findOne({ _id: id })).toMatchObject({ state: 'done', result: 'inv' })
  })

  it('never runs a delivery that failed for good again, until a replay makes it pending', async () => {
    fixture = await createEventBusFixture('fencing-failed-final')
    const f = fixture
    let runs = 0
    f.bus.subscribe('note.archived', HANDLER, async () => {
      runs++
      throw new Error('always')
    })
    const event = await f.bus.emit('note.archived', { noteId: 'f6' }, { tenantId: 't1' })
    const data = { eventId: event.id, handler: HANDLER }
    await expect(f.bus.deliver(data, { attempt: 3, job })).rejects.toThrow('always')
    expect((await delivery(f, event.id))?.status).toBe('failed')
    // A stale job (an after-lease re-check, a duplicate) finds it settled: no run, still failed.
    await f.bus.deliver(data, { attempt: 1, job })
    expect(runs).toBe(1)
    expect((await delivery(f, event.id))?.status).toBe('failed')
  })
})
