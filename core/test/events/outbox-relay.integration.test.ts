// Delivery survives Redis outages and crashes: the outbox relay enqueues what emit could not, leases keep
// relays from racing, and a stalled job re-run (worker died after the effect) does not repeat it.
import { afterEach, describe, expect, it } from 'vitest'
import { EVENT_DELIVERY_QUEUE } from '../../src/events/durable-event-bus.ts'
import { deliveryId } from '../../src/events/event-store.ts'
import { type OutboxRelay, startOutboxRelay } from '../../src/events/outbox-relay.ts'
import { createQueueFactory } from '../../src/jobs/queue-factory.ts'
import { waitUntil } from '../jobs/wait-until.ts'
import {
  createEventBusFixture,
  type EventBusFixture,
  silentLogger,
  undispatchedEvents
} from './event-bus-fixture.ts'
import { createOwnRedisServer, type OwnRedisServer } from './own-redis-server.ts'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups.length = 0
})

async function fixtureFor(
  name: string,
  options: Parameters<typeof createEventBusFixture>[1] = {}
): Promise<EventBusFixture> {
  const fixture = await createEventBusFixture(name, options)
  cleanups.push(() => fixture.close())
  return fixture
}

function relayFor(fixture: EventBusFixture, pollMs = 100): OutboxRelay {
  const relay = startOutboxRelay({
    bus: fixture.bus,
    queues: fixture.queues,
    logger: silentLogger,
    pollMs,
    leaseMs: 2000
  })
  cleanups.push(() => relay.stop())
  return relay
}

describe('outbox relay', () => {
  it('records events while Redis is down and delivers them once it is back', async () => {
    const redis: OwnRedisServer = await createOwnRedisServer()
    cleanups.push(() => redis.stop())
    await redis.start()
    const f = await fixtureFor('relay-redis-down', { redisUrl: redis.url })
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => f.effect(event.id))
    await f.startWorkers()
    relayFor(f)
    const before = await f.bus.emit('note.created', { noteId: 'before', text: 'x' }, { tenantId: 't1' })
    await waitUntil(async () => (await f.effectCount(before.id)) === 1)

    await redis.stop()
    await waitUntil(() => !f.queues.isRedisReady(), 5000, 'redis seen as down')
    const started = Date.now()
    const during = await f.bus.emit('note.created', { noteId: 'during', text: 'y' }, { tenantId: 't1' })
    // emit does not hang on the outage: the event is recorded and left to the relay.
    expect(Date.now() - started).toBeLessThan(1000)
    expect(await f.bus.store.outbox.findOne({ _id: during.id })).toMatchObject({ dispatchedAt: null })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await f.effectCount(during.id)).toBe(0)

    await redis.start()
    await waitUntil(
      async () => (await f.effectCount(during.id)) === 1,
      20_000,
      'delivery after redis restart'
    )
    await waitUntil(
      async () => (await f.bus.store.outbox.findOne({ _id: during.id }))?.dispatchedAt instanceof Date
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await f.effectCount(during.id)).toBe(1)
    expect(await f.effectCount(before.id)).toBe(1)
  })

  it('dispatches an event written inside a MongoDB transaction only after commit, via the relay', async () => {
    const f = await fixtureFor('relay-transaction')
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => f.effect(event.id))
    await f.startWorkers()
    relayFor(f)
    const session = await f.connection.startSession()
    cleanups.push(() => session.endSession())
    let eventId = ''
    await session.withTransaction(async () => {
      await f.connection.collection('notes').insertOne({ _id: 'n1' as any, text: 'x' }, { session })
      eventId = (await f.bus.emit('note.created', { noteId: 'n1', text: 'x' }, { tenantId: 't1', session }))
        .id
    })
    await waitUntil(async () => (await f.effectCount(eventId)) === 1)

    // An aborted transaction leaves no event behind, so nothing is ever delivered.
    const aborted = await f.connection.startSession()
    cleanups.push(() => aborted.endSession())
    aborted.startTransaction()
    const ghost = await f.bus.emit(
      'note.created',
      { noteId: 'n2', text: 'y' },
      { tenantId: 't1', session: aborted }
    )
    await aborted.abortTransaction()
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await f.bus.store.outbox.findOne({ _id: ghost.id })).toBeNull()
    expect(await f.effectCount(ghost.id)).toBe(0)
  })

  it('leases each undispatched event to one relay at a time', async () => {
    const f = await fixtureFor('relay-lease')
    const ids = ['e1', 'e2', 'e3', 'e4']
    await f.bus.store.outbox.insertMany(undispatchedEvents(ids))
    // Four relays at once over overlapping id sets: every event is leased by exactly one of them.
    const leased = await Promise.all([
      f.bus.store.leaseUndispatchedMany(['e1', 'e2', 'e3'], 10_000),
      f.bus.store.leaseUndispatchedMany(['e2', 'e3', 'e4'], 10_000),
      f.bus.store.leaseUndispatchedMany(ids, 10_000),
      f.bus.store.leaseUndispatchedMany(['e4', 'e1'], 10_000)
    ])
    expect(
      leased
        .flat()
        .map((event) => event._id)
        .sort()
    ).toEqual(ids)
    expect(await f.bus.store.leaseUndispatchedMany(ids, 10_000)).toEqual([])
    // Once the lease has passed the events can be leased again (a relay that died mid-pass).
    await f.bus.store.outbox.updateMany({}, { $set: { leaseUntil: new Date(0) } })
    const again = await f.bus.store.leaseUndispatchedMany(['e3', 'e1'], 10_000)
    expect(again.map((event) => event._id)).toEqual(['e3', 'e1'])
    expect(again[0].payload).toEqual({ noteId: 'e3' })
  })

  it('dispatches a burst larger than its batch in back-to-back passes, leasing each event once', async () => {
    const f = await fixtureFor('relay-burst')
    f.bus.subscribe('note.archived', 'noop.note-archived', async () => undefined)
    const ids = Array.from({ length: 23 }, (_, index) => `b${index}`)
    // As a transaction leaves them: undispatched, lease free, for the relay.
    await f.bus.store.outbox.insertMany(undispatchedEvents(ids))
    // A second relay takes some of them first: each event is still dispatched once.
    expect((await f.bus.store.leaseUndispatchedMany(['b3'], 60_000)).map((event) => event._id)).toEqual([
      'b3'
    ])
    expect(await f.bus.store.leaseUndispatchedMany(['b3'], 60_000)).toEqual([])
    // Marked dispatched once per pass, not once per event.
    const marks: number[] = []
    const markMany = f.bus.store.markDispatchedMany.bind(f.bus.store)
    f.bus.store.markDispatchedMany = async (eventIds: string[]) => {
      if (eventIds.length > 0) marks.push(eventIds.length)
      return markMany(eventIds)
    }
    const markOne = f.bus.store.markDispatched.bind(f.bus.store)
    let singleMarks = 0
    f.bus.store.markDispatched = async (eventId: string) => {
      singleMarks++
      return markOne(eventId)
    }
    const started = Date.now()
    const relay = startOutboxRelay({
      bus: f.bus,
      queues: f.queues,
      logger: silentLogger,
      pollMs: 1000,
      batchSize: 5,
      leaseMs: 2000
    })
    cleanups.push(() => relay.stop())
    const others = ids.filter((id) => id !== 'b3')
    await waitUntil(
      async () =>
        (await f.bus.store.outbox.countDocuments({ _id: { $in: others }, dispatchedAt: { $ne: null } })) ===
        22,
      5000,
      'the burst dispatched'
    )
    // Five passes of five: one poll interval (then back to back), not one per pass (at least 4 s).
    expect(Date.now() - started).toBeLessThan(3500)
    expect(await f.bus.store.outbox.findOne({ _id: 'b3' })).toMatchObject({ dispatchedAt: null })
    expect(singleMarks).toBe(0)
    expect(marks.reduce((sum, count) => sum + count, 0)).toBe(22)
    expect(marks.length).toBeLessThanOrEqual(5)
    // A pass's deliveries of one handler go to Redis as one group job, not one job per event: every
    // dispatched event in exactly one job, one job per pass.
    const queue = f.queues.queue(EVENT_DELIVERY_QUEUE)
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active'])
    const grouped = jobs.flatMap((job) =>
      job.data.data.group
        ? job.data.data.group.map((member: { eventId: string }) => member.eventId)
        : [job.data.data.eventId]
    )
    expect(grouped.sort()).toEqual([...others].sort())
    expect(jobs.length).toBe(marks.length)
    expect(await queue.getJob(deliveryId('b0', 'noop.note-archived'))).toBeNull()
  })

  it('does not repeat the effect when a stalled job is re-run after its worker died', async () => {
    const settings = { lockDuration: 800, lockRenewTime: 400, stalledInterval: 300, maxStalledCount: 2 }
    const f = await fixtureFor('relay-stalled', { queueSettings: settings })
    let runs = 0
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => {
      runs++
      await f.effect(event.id)
    })
    const event = await f.bus.emit('note.created', { noteId: 'n1', text: 'x' }, { tenantId: 't1' })
    const id = deliveryId(event.id, 'counter.note-created')

    // A worker in another process takes the job, runs it to the end, and dies before telling Bull.
    const doomed = createQueueFactory({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: f.prefix,
      logger: silentLogger,
      settings
    })
    cleanups.push(() => doomed.close())
    const taken = await doomed.queue(EVENT_DELIVERY_QUEUE).getNextJob()
    expect(taken?.id).toBe(id)
    await f.bus.deliver(taken!.data.data, { attempt: 1, job: taken! })
    expect(await f.effectCount(event.id)).toBe(1)

    // The live worker notices the expired lock, re-runs the job, and the delivery record stops it.
    const queue = f.queues.queue(EVENT_DELIVERY_QUEUE)
    let stalled = 0
    queue.on('stalled', () => void stalled++)
    await f.startWorkers()
    await waitUntil(async () => (await queue.getCompletedCount()) === 1, 15_000, 'stalled job re-run')
    expect(stalled).toBe(1)
    expect(runs).toBe(1)
    expect(await f.effectCount(event.id)).toBe(1)
  })
})
