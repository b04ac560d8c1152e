// emitMany on real MongoDB and Redis: one read and one insert for the whole batch, the duplicate-id
// semantics of emit (stored or repeated ids recorded and delivered once), and inside a transaction nothing
// visible before commit, nothing left by a rollback, dispatch by the relay after commit.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type OutboxRelay, startOutboxRelay } from '../../src/events/outbox-relay.ts'
import { waitUntil } from '../jobs/wait-until.ts'
import { createEventBusFixture, type EventBusFixture, silentLogger } from './event-bus-fixture.ts'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function fixtureFor(name: string): Promise<EventBusFixture> {
  const fixture = await createEventBusFixture(name)
  cleanups.push(() => fixture.close())
  return fixture
}

function relayFor(fixture: EventBusFixture): OutboxRelay {
  const relay = startOutboxRelay({
    bus: fixture.bus,
    queues: fixture.queues,
    logger: silentLogger,
    pollMs: 100,
    leaseMs: 2000
  })
  cleanups.push(() => relay.stop())
  return relay
}

/** Counts the outbox collection's method calls made by the bus. */
function countOutboxCalls(f: EventBusFixture): string[] {
  const outbox = f.bus.store.outbox
  const calls: string[] = []
  const counted = new Proxy(outbox, {
    get(target, key) {
      const value = Reflect.get(target, key)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(key))
        return value.apply(target, args)
      }
    }
  })
  vi.spyOn(f.bus.store, 'outbox', 'get').mockReturnValue(counted)
  cleanups.push(async () => vi.restoreAllMocks())
  return calls
}

const note = (id: string, text: string) => ({
  name: 'note.created' as const,
  id,
  payload: { noteId: id, text }
})

describe('emitMany', () => {
  it('records new events once, returns stored ones for known and repeated ids, and delivers each once', async () => {
    const f = await fixtureFor('emit-many-basic')
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => f.effect(event.id))
    await f.startWorkers()
    const first = await f.bus.emit(
      'note.created',
      { noteId: 'a', text: 'first' },
      { id: 'a', tenantId: 't1' }
    )
    const calls = countOutboxCalls(f)
    const results = await f.bus.emitMany(
      [note('a', 'again'), note('b', 'b1'), note('c', 'c1'), note('b', 'b2')],
      { tenantId: 't1' }
    )
    expect(calls.filter((call) => call === 'find')).toHaveLength(1)
    expect(calls.filter((call) => call === 'insertMany')).toHaveLength(1)
    expect(calls).not.toContain('insertOne')
    expect(results.map((event) => event.id)).toEqual(['a', 'b', 'c', 'b'])
    expect(results[0]).toMatchObject({ payload: { text: 'first' }, occurredAt: first.occurredAt })
    expect(results[3]).toMatchObject({ payload: { text: 'b1' } })
    vi.restoreAllMocks()

    // A second call with the same ids records and delivers nothing new.
    await f.bus.emitMany([note('b', 'b3'), note('c', 'c3')], { tenantId: 't1' })
    for (const id of ['a', 'b', 'c']) {
      await waitUntil(async () => (await f.effectCount(id)) === 1, 5000, `effect of ${id}`)
      expect(await f.bus.store.outbox.countDocuments({ _id: id as any })).toBe(1)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (const id of ['a', 'b', 'c']) expect(await f.effectCount(id)).toBe(1)
    expect(await f.bus.store.outbox.findOne({ _id: 'b' as any })).toMatchObject({ payload: { text: 'b1' } })
  })

  it('outside a transaction, new ids cost one insertMany and no read', async () => {
    const f = await fixtureFor('emit-many-no-read')
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => f.effect(event.id))
    await f.startWorkers()
    const calls = countOutboxCalls(f)
    const results = await f.bus.emitMany([note('p', 'p1'), note('q', 'q1'), note('p', 'p2')], {
      tenantId: 't1'
    })
    // (The delivery workers read their event by findOne meanwhile; the ids' read would be a find.)
    expect(calls.filter((call) => call === 'find')).toHaveLength(0)
    expect(calls.filter((call) => call === 'insertMany')).toHaveLength(1)
    vi.restoreAllMocks()
    expect(results.map((event) => [event.id, (event.payload as any).text])).toEqual([
      ['p', 'p1'],
      ['q', 'q1'],
      ['p', 'p1']
    ])
    for (const id of ['p', 'q'])
      await waitUntil(async () => (await f.effectCount(id)) === 1, 5000, `effect of ${id}`)
  })

  it('stores the same document shape as emit', async () => {
    const f = await fixtureFor('emit-many-shape')
    f.bus.subscribe('note.created', 'noop.note-created', async () => undefined)
    await f.bus.emit(
      'note.created',
      { noteId: 'x', text: 'x' },
      { id: 'x', tenantId: 't1', causationId: 'r' }
    )
    await f.bus.emitMany([note('y', 'y')], { tenantId: 't1', causationId: 'r' })
    const [x, y] = await Promise.all([
      f.bus.store.outbox.findOne({ _id: 'x' as any }),
      f.bus.store.outbox.findOne({ _id: 'y' as any })
    ])
    expect(Object.keys(y!).sort()).toEqual(Object.keys(x!).sort())
    expect(y).toMatchObject({
      name: 'note.created',
      tenantId: 't1',
      causationId: 'r',
      dispatchedAt: expect.any(Date)
    })
  })

  it('refuses an id already used by another event name, as emit does', async () => {
    const f = await fixtureFor('emit-many-conflict')
    await f.bus.emit('note.archived', { noteId: 'n' }, { id: 'n', tenantId: 't1' })
    await expect(f.bus.emitMany([note('n', 'x')], { tenantId: 't1' })).rejects.toThrow(/already used/)
    await expect(
      f.bus.emitMany([note('m', 'x'), { name: 'note.archived', id: 'm', payload: { noteId: 'm' } }], {
        tenantId: 't1'
      })
    ).rejects.toThrow(/already used/)
  })

  it('inside a transaction: sees its own earlier writes, commits once, and the relay delivers after commit', async () => {
    const f = await fixtureFor('emit-many-tx')
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => f.effect(event.id))
    await f.startWorkers()
    await f.bus.emit('note.created', { noteId: 'k', text: 'known' }, { id: 'k', tenantId: 't1' })
    await waitUntil(async () => (await f.effectCount('k')) === 1)
    const session = await f.connection.startSession()
    cleanups.push(() => session.endSession())
    await session.withTransaction(async () => {
      await f.bus.emitMany([note('k', 'k2'), note('p', 'p1'), note('q', 'q1'), note('q', 'q2')], {
        tenantId: 't1',
        session
      })
      const again = await f.bus.emitMany([note('p', 'p2'), note('r', 'r1')], { tenantId: 't1', session })
      expect(again[0]).toMatchObject({ id: 'p', payload: { text: 'p1' } })
      // Not visible outside the transaction yet.
      expect(await f.bus.store.outbox.countDocuments({ _id: { $in: ['p', 'q', 'r'] as any[] } })).toBe(0)
    })
    expect(await f.bus.store.outbox.countDocuments({ _id: { $in: ['k', 'p', 'q', 'r'] as any[] } })).toBe(4)
    // Nothing is enqueued from inside the transaction: the relay dispatches once committed.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await f.effectCount('p')).toBe(0)
    relayFor(f)
    for (const id of ['p', 'q', 'r'])
      await waitUntil(async () => (await f.effectCount(id)) === 1, 5000, `effect of ${id}`)
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (const id of ['k', 'p', 'q', 'r']) expect(await f.effectCount(id)).toBe(1)
  })

  it('leaves no event behind when the transaction rolls back', async () => {
    const f = await fixtureFor('emit-many-rollback')
    f.bus.subscribe('note.created', 'counter.note-created', async (event) => f.effect(event.id))
    await f.startWorkers()
    relayFor(f)
    const session = await f.connection.startSession()
    cleanups.push(() => session.endSession())
    await expect(
      session.withTransaction(async () => {
        await f.bus.emitMany([note('g1', 'x'), note('g2', 'y')], { tenantId: 't1', session })
        throw new Error('business rule failed after emitting')
      })
    ).rejects.toThrow('business rule failed')
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await f.bus.store.outbox.countDocuments({ _id: { $in: ['g1', 'g2'] as any[] } })).toBe(0)
    expect(await f.effectCount('g1')).toBe(0)
    expect(await f.effectCount('g2')).toBe(0)
  })

  it('retries the transaction when one of its ids is inserted by someone else mid-transaction', async () => {
    const f = await fixtureFor('emit-many-race')
    const session = await f.connection.startSession()
    cleanups.push(() => session.endSession())
    let tries = 0
    let results: Awaited<ReturnType<typeof f.bus.emitMany>> = []
    await session.withTransaction(async () => {
      tries++
      await f.connection.collection('notes').insertOne({ _id: `n-${tries}` as any, text: 'x' }, { session })
      if (tries === 1) {
        // The racer commits between emitMany's read and its insert; replayed by calling the insert step.
        const racer = await f.bus.emit(
          'note.created',
          { noteId: 's', text: 'racer' },
          { id: 's', tenantId: 't1' }
        )
        const stored = await f.bus.store.outbox.findOne({ _id: racer.id })
        const insert = f.bus.store.insertEvents(
          [
            { ...stored!, _id: 'other' },
            { ...stored!, payload: { text: 'mine' } }
          ],
          session
        )
        await expect(insert).rejects.toSatisfy((error: any) =>
          error.hasErrorLabel('TransientTransactionError')
        )
      }
      results = await f.bus.emitMany([note('s', 'mine'), note('t', 'mine')], { tenantId: 't1', session })
    })
    expect(tries).toBe(2)
    expect(results[0]).toMatchObject({ id: 's', payload: { text: 'racer' } })
    expect(await f.connection.collection('notes').countDocuments({})).toBe(1)
    expect(await f.bus.store.outbox.countDocuments({ _id: { $in: ['s', 't', 'other'] as any[] } })).toBe(2)
  })

  it('outside a transaction, ids that race in are returned as stored and not dispatched twice', async () => {
    const f = await fixtureFor('emit-many-race-plain')
    const racer = await f.bus.emit(
      'note.created',
      { noteId: 'u', text: 'racer' },
      { id: 'u', tenantId: 't1' }
    )
    const stored = await f.bus.store.outbox.findOne({ _id: racer.id })
    const duplicates = await f.bus.store.insertEvents([
      { ...stored!, _id: 'v' },
      { ...stored!, payload: { text: 'mine' } }
    ])
    expect([...duplicates]).toEqual(['u'])
    expect(await f.bus.store.outbox.findOne({ _id: 'u' as any })).toMatchObject({
      payload: { text: 'racer' }
    })
  })
})
