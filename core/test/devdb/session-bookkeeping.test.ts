// Transaction bookkeeping under transactions that overlap without pause (webhook-style load): last-write
// clocks and pre-images stay bounded, and pruning never drops what an open transaction still needs.
import { describe, expect, it } from 'vitest'
import { LockTable } from '../../src/devdb/sessions/lock-table.ts'
import { Transaction } from '../../src/devdb/sessions/transaction.ts'
import { VersionStore } from '../../src/devdb/sessions/version-store.ts'

describe('lock table', () => {
  it('bounds last-write clocks while some transaction is always open, keeping conflicts', () => {
    const locks = new LockTable()
    let open = new Transaction('s', 0, locks.tick())
    locks.begin(open)
    for (let i = 1; i <= 20_000; i++) {
      const next = new Transaction('s', i, locks.tick())
      locks.begin(next)
      locks.noteWrite(`db.c\u0000k${i}`, locks.tick())
      locks.release(open) // the older one ends after the newer one started: never zero open
      open = next
      expect(locks.activeCount).toBe(1)
    }
    expect(locks.lastWriteCount).toBeLessThan(3_000)

    // A write after the open transaction's snapshot still conflicts after any number of prunes.
    locks.noteWrite('db.c\u0000late', locks.tick())
    for (let i = 0; i < 5_000; i++) locks.noteWrite(`db.c\u0000x${i}`, locks.tick())
    const follower = new Transaction('t', 1, locks.tick())
    locks.begin(follower)
    locks.release(follower)
    expect(locks.acquire(open, 'db.c\u0000late')).toMatch(/modified after the transaction started/)
    // ...and a write before a transaction's snapshot never does.
    const fresh = new Transaction('u', 1, locks.tick())
    locks.begin(fresh)
    expect(locks.acquire(fresh, 'db.c\u0000late')).toBeNull()
  })
})

describe('version store', () => {
  it('bounds pre-images while snapshots advance and answers asOf for open snapshots', () => {
    const store = new VersionStore()
    const log: { key: string; tick: number; before: unknown }[] = []
    let tick = 0
    for (let i = 0; i < 20_000; i++) {
      tick++
      const entry = { key: `k${i % 500}`, tick, before: { _id: i % 500, v: i } }
      store.record('db.c', entry.key, entry.before, tick)
      log.push(entry)
      store.prune(tick - 10) // the oldest open snapshot trails the clock by 10 ticks
    }
    expect(store.size).toBeLessThan(200)
    const snapshot = tick - 5
    // Each document changed after the snapshot is reported with its first pre-image after the snapshot.
    const expected = new Map<string, unknown>()
    for (const entry of log)
      if (entry.tick > snapshot && !expected.has(entry.key)) expected.set(entry.key, entry.before)
    expect(store.asOf('db.c', snapshot)).toEqual(expected)
    store.prune(null)
    expect(store.size).toBe(0)
    expect(store.asOf('db.c', 0)).toBeNull()
  })
})
