// A relay pass's events run as group jobs (one per handler and up to DELIVERY_GROUP_MAX events) on real
// MongoDB and Redis: each effect once and every delivery completed, a failing member goes on alone with
// its remaining attempts, a group run twice repeats nothing, a member held by another live run is left to
// it, and a handler with one attempt ends failed (replayable) without a retry.
import { afterEach, describe, expect, it } from 'vitest'
import { DELIVERY_GROUP_MAX, EVENT_DELIVERY_QUEUE } from '../../src/events/durable-event-bus.ts'
import { deliveryId } from '../../src/events/event-store.ts'
import { startOutboxRelay } from '../../src/events/outbox-relay.ts'
import { waitUntil } from '../jobs/wait-until.ts'
import {
  createEventBusFixture,
  type EventBusFixture,
  silentLogger,
  undispatchedEvents
} from './event-bus-fixture.ts'

const HANDLER = 'ledger.note-archived'
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups.length = 0
})

async function fixtureFor(name: string): Promise<EventBusFixture> {
  const fixture = await createEventBusFixture(name)
  cleanups.push(() => fixture.close())
  return fixture
}

/** Events as a transaction leaves them (undispatched, lease free), then one relay pass over them. */
async function relayPass(f: EventBusFixture, ids: string[]): Promise<void> {
  await f.bus.store.outbox.insertMany(undispatchedEvents(ids))
  const relay = startOutboxRelay({ bus: f.bus, queues: f.queues, logger: silentLogger, pollMs: 60_000 })
  cleanups.push(() => relay.stop())
  // A pass does nothing until the queue's Redis connection is up.
  expect(await f.queues.waitRedisReady(5000)).toBe(true)
  expect(await relay.runOnce()).toBe(ids.length)
}

const deliveriesOf = (f: EventBusFixture, ids: string[]) =>
  f.bus.store.deliveries.find({ _id: { $in: ids.map((id) => deliveryId(id, HANDLER)) } }).toArray()
/**
 * A pass of two events whose second delivery another live run holds; returns the group job's data and the
 * holder's claim. Effects are counted under `<prefix>:<id>`.
 */
async function groupWithHeldMember(f: EventBusFixture, prefix: string) {
  f.bus.subscribe('note.archived', HANDLER, async (event) => {
    await f.effect(`${prefix}:${event.id}`)
  })
  await relayPass(f, [`${prefix}1`, `${prefix}2`])
  const [queued] = await f.queues.queue(EVENT_DELIVERY_QUEUE).getJobs(['waiting'])
  const held = await f.bus.store.claimDelivery(
    (await f.bus.store.outbox.findOne({ _id: `${prefix}2` }))!,
    HANDLER,
    60_000
  )
  expect(held.state).toBe('claimed')
  return { data: queued.data.data, held: held as { runId: string } }
}

/** The delayed jobs' ids: the re-checks scheduled after a lease. */
const delayedIds = async (f: EventBusFixture) =>
  (await f.queues.queue(EVENT_DELIVERY_QUEUE).getJobs(['delayed'])).map((later) => later.id)

/** Every delivery of `ids` recorded and in one of `statuses`. */
async function settled(f: EventBusFixture, ids: string[], statuses = ['completed']): Promise<boolean> {
  const records = await deliveriesOf(f, ids)
  return records.length === ids.length && records.every((record) => statuses.includes(record.status))
}
const job = { opts: { attempts: 3 }, discard: async () => undefined } as any

describe('group deliveries', () => {
  it('runs a pass of events as group jobs: every effect once, every delivery completed once', async () => {
    const f = await fixtureFor('groups-basic')
    const tenants: (string | undefined)[] = []
    const { currentScope } = await import('../../src/context/request-scope.ts')
    f.bus.subscribe('note.archived', HANDLER, async (event) => {
      tenants.push(currentScope()?.tenantId)
      await f.effect(`g:${event.id}`)
    })
    const ids = Array.from({ length: DELIVERY_GROUP_MAX + 10 }, (_, index) => `g${index}`)
    await relayPass(f, ids)
    const jobs = await f.queues.queue(EVENT_DELIVERY_QUEUE).getJobs(['waiting'])
    expect(jobs.map((queued) => queued.data.data.group?.length).sort()).toEqual([10, DELIVERY_GROUP_MAX])
    await f.startWorkers()
    await waitUntil(() => settled(f, ids))
    for (const id of ids) expect(await f.effectCount(`g:${id}`)).toBe(1)
    expect((await deliveriesOf(f, ids)).every((record) => record.attempts === 1 && !record.runId)).toBe(true)
    expect(tenants).toHaveLength(ids.length)
    expect(new Set(tenants)).toEqual(new Set(['t1']))
  })

  it('lets a failing member go on alone with its remaining attempts while the others complete', async () => {
    const f = await fixtureFor('groups-failing-member')
    let failures = 0
    const attemptsSeen: number[] = []
    f.bus.subscribe('note.archived', HANDLER, async (event, context) => {
      if (event.id === 'f3') attemptsSeen.push(context.attempt)
      if (event.id === 'f3' && failures++ === 0) throw new Error('mailer down')
      await f.effect(`f:${event.id}`)
    })
    const ids = ['f1', 'f2', 'f3', 'f4']
    await relayPass(f, ids)
    await f.startWorkers()
    await waitUntil(() => settled(f, ids))
    for (const id of ids) expect(await f.effectCount(`f:${id}`)).toBe(1)
    const records = new Map((await deliveriesOf(f, ids)).map((record) => [record.eventId, record]))
    expect(records.get('f3')?.attempts).toBe(2)
    expect(records.get('f1')?.attempts).toBe(1)
    expect(failures).toBe(2)
    // The retry counts on from the group's attempt.
    expect(attemptsSeen).toEqual([1, 2])
  })

  it('keeps groups of different members apart when a pass is enqueued again with other events', async () => {
    const f = await fixtureFor('groups-membership')
    f.bus.subscribe('note.archived', HANDLER, async (event) => {
      await f.effect(`m:${event.id}`)
    })
    const [late, ...first] = undispatchedEvents(['late', 'm1', 'm2', 'm3'])
    // The pass again after a crash, with an event committed meanwhile sorted among them: the same first
    // event and size as before, other members.
    const second = [first[0], late, first[1]]
    await f.bus.store.outbox.insertMany([...first, late])
    expect(await f.queues.waitRedisReady(5000)).toBe(true)
    expect(await f.bus.enqueueDeliveriesMany(first)).toEqual([true, true, true])
    expect(await f.bus.enqueueDeliveriesMany(second)).toEqual([true, true, true])
    // The very same group again is the same job.
    expect(await f.bus.enqueueDeliveriesMany(first)).toEqual([true, true, true])
    expect(await f.queues.queue(EVENT_DELIVERY_QUEUE).getJobs(['waiting'])).toHaveLength(2)
    await f.startWorkers()
    const ids = ['m1', 'm2', 'm3', 'late']
    await waitUntil(() => settled(f, ids))
    for (const id of ids) expect(await f.effectCount(`m:${id}`)).toBe(1)
  })

  it('repeats no effect when a group job runs twice, at once or again after completing', async () => {
    const f = await fixtureFor('groups-twice')
    let runs = 0
    f.bus.subscribe('note.archived', HANDLER, async (event) => {
      runs++
      await new Promise((resolve) => setTimeout(resolve, 20))
      await f.effect(`t:${event.id}`)
    })
    const ids = ['t1', 't2', 't3']
    await relayPass(f, ids)
    const [queued] = await f.queues.queue(EVENT_DELIVERY_QUEUE).getJobs(['waiting'])
    const data = queued.data.data
    await Promise.all([
      f.bus.deliverGroup(data, { attempt: 1, job }),
      f.bus.deliverGroup(data, { attempt: 1, job })
    ])
    await f.bus.deliverGroup(data, { attempt: 2, job })
    for (const id of ids) expect(await f.effectCount(`t:${id}`)).toBe(1)
    expect(runs).toBe(3)
    expect((await deliveriesOf(f, ids)).map((record) => record.status)).toEqual([
      'completed',
      'completed',
      'completed'
    ])
  })

  it('leaves a member another live run holds to it, and looks again once that lease lapses', async () => {
    const f = await fixtureFor('groups-busy')
    const { data, held } = await groupWithHeldMember(f, 'b')
    await f.bus.deliverGroup(data, { attempt: 1, job })
    expect(await f.effectCount('b:b1')).toBe(1)
    expect(await f.effectCount('b:b2')).toBe(0)
    const b2 = await f.bus.store.deliveries.findOne({ _id: deliveryId('b2', HANDLER) })
    expect(b2).toMatchObject({ status: 'running', runId: held.runId })
    expect(await delayedIds(f)).toEqual([expect.stringMatching(/^b2:ledger\.note-archived:after-lease:/)])
  })

  it('ends a member failed (replayable) when its handler has no attempt left', async () => {
    const f = await fixtureFor('groups-final')
    f.bus.subscribe(
      'note.archived',
      HANDLER,
      async (event) => {
        if (event.id === 'x2') throw new Error('always')
        await f.effect(`x:${event.id}`)
      },
      { attempts: 1 }
    )
    const ids = ['x1', 'x2']
    await relayPass(f, ids)
    await f.startWorkers()
    await waitUntil(() => settled(f, ids, ['completed', 'failed']))
    const records = new Map((await deliveriesOf(f, ids)).map((record) => [record.eventId, record]))
    expect(records.get('x1')?.status).toBe('completed')
    expect(records.get('x2')).toMatchObject({ status: 'failed', lastError: { message: 'always' } })
    const queue = f.queues.queue(EVENT_DELIVERY_QUEUE)
    expect(await queue.getJobs(['waiting', 'delayed'])).toHaveLength(0)
  })

  it('claims each chunk of a group just before it runs, so no member waits claimed under a lease it is not renewed under', async () => {
    const f = await fixtureFor('groups-chunks')
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const started: string[] = []
    f.bus.subscribe('note.archived', HANDLER, async (event) => {
      started.push(event.id)
      if (started.length <= 5) await gate
      await f.effect(`c:${event.id}`)
    })
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']
    await relayPass(f, ids)
    const [queued] = await f.queues.queue(EVENT_DELIVERY_QUEUE).getJobs(['waiting'])
    const running = f.bus.deliverGroup(queued.data.data, { attempt: 1, job })
    await waitUntil(() => started.length === 5)
    // The first chunk runs; the sixth member is not claimed yet.
    expect(await f.bus.store.deliveries.findOne({ _id: deliveryId('c6', HANDLER) })).toBeNull()
    release()
    await running
    for (const id of ids) expect(await f.effectCount(`c:${id}`)).toBe(1)
    expect(await settled(f, ids)).toBe(true)
  })

  it('still re-checks members held by another run when a bookkeeping write fails', async () => {
    const f = await fixtureFor('groups-bookkeeping-failure')
    const { data } = await groupWithHeldMember(f, 'k')
    f.bus.store.completeDeliveries = async () => {
      throw new Error('primary stepped down')
    }
    await expect(f.bus.deliverGroup(data, { attempt: 3, job })).rejects.toThrow('primary stepped down')
    expect(await delayedIds(f)).toEqual([expect.stringMatching(/^k2:ledger\.note-archived:after-lease:/)])
  })
})
