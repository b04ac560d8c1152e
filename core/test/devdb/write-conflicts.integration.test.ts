// Transaction write-conflict semantics against mongod's rules: first writer wins, and a write touching a document
// or unique key changed after the snapshot (or held by another open transaction) fails at that write with
// WriteConflict (112) + TransientTransactionError, never with a plain E11000 or silently.
import { type ClientSession, type Collection, type Db, MongoClient, MongoServerError } from 'mongodb'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let client: MongoClient
let db: Db
let rollups: Collection
const slot = { tenantId: 't1', day: '2026-11-24', kind: 'stage' }

beforeAll(async () => {
  client = await MongoClient.connect(testDatabaseUri('devdb_write_conflicts'))
  db = client.db()
  rollups = db.collection('rollups')
  await rollups.createIndex({ tenantId: 1, day: 1, kind: 1 }, { unique: true })
})

beforeEach(async () => {
  await rollups.deleteMany({})
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

// Starts a transaction and fixes its snapshot with a first read, as any transaction's first operation does.
async function openTransaction(): Promise<ClientSession> {
  const session = client.startSession()
  session.startTransaction()
  await rollups.findOne({ _id: 'none' as never }, { session })
  return session
}

async function failure(write: Promise<unknown>): Promise<MongoServerError> {
  const err = await write.then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(MongoServerError)
  return err as MongoServerError
}

function expectWriteConflict(err: MongoServerError): void {
  expect(err.code).toBe(112)
  expect(err.codeName).toBe('WriteConflict')
  expect(err.hasErrorLabel('TransientTransactionError')).toBe(true)
}

async function finish(session: ClientSession): Promise<void> {
  if (session.inTransaction()) await session.abortTransaction().catch(() => undefined)
  await session.endSession()
}

describe('a unique key inserted by another writer after the snapshot', () => {
  it('fails a transactional upsert with WriteConflict, not E11000', async () => {
    const session = await openTransaction()
    try {
      await rollups.insertOne({ ...slot, count: 5 })
      const err = await failure(rollups.updateOne(slot, { $inc: { count: 1 } }, { upsert: true, session }))
      expectWriteConflict(err)
      // The transaction is aborted: commit cannot apply anything.
      await expect(session.commitTransaction()).rejects.toMatchObject({ codeName: 'NoSuchTransaction' })
    } finally {
      await finish(session)
    }
    expect(await rollups.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ ...slot, count: 5 }])
  })

  it('fails a transactional insert of an _id inserted after the snapshot with WriteConflict', async () => {
    const session = await openTransaction()
    try {
      await rollups.insertOne({ _id: 'late' as never, tenantId: 'x', day: 'd', kind: 'k' })
      expectWriteConflict(await failure(rollups.insertOne({ _id: 'late' as never, n: 1 }, { session })))
    } finally {
      await finish(session)
    }
  })

  it('keeps E11000 (no transient label) for keys the snapshot already holds', async () => {
    await rollups.insertOne({ _id: 'early' as never, ...slot, count: 1 })
    const session = await openTransaction()
    try {
      const bySlot = await failure(rollups.insertOne({ ...slot, count: 9 }, { session }))
      expect(bySlot.code).toBe(11000)
      expect(bySlot.hasErrorLabel('TransientTransactionError')).toBe(false)
      expect(bySlot.errorResponse).toMatchObject({ keyValue: slot })
    } finally {
      await finish(session)
    }
    const second = await openTransaction()
    try {
      const byId = await failure(rollups.insertOne({ _id: 'early' as never }, { session: second }))
      expect(byId.code).toBe(11000)
    } finally {
      await finish(second)
    }
  })

  it('conflicts when the key was released after the snapshot (the snapshot still holds it)', async () => {
    await rollups.insertOne({ _id: 'holder' as never, ...slot })
    const session = await openTransaction()
    try {
      await rollups.updateOne({ _id: 'holder' as never }, { $set: { kind: 'moved' } })
      expectWriteConflict(await failure(rollups.insertOne({ ...slot, count: 1 }, { session })))
    } finally {
      await finish(session)
    }
  })
})

describe('a document changed by another writer after the snapshot', () => {
  beforeEach(async () => {
    await rollups.insertOne({ _id: 'doc' as never, ...slot, count: 1 })
  })

  it('fails an update at the write with WriteConflict and keeps the other writer change', async () => {
    const session = await openTransaction()
    try {
      await rollups.updateOne({ _id: 'doc' as never }, { $inc: { count: 10 } })
      expectWriteConflict(
        await failure(rollups.updateOne({ _id: 'doc' as never }, { $inc: { count: 1 } }, { session }))
      )
    } finally {
      await finish(session)
    }
    expect((await rollups.findOne({ _id: 'doc' as never }))?.count).toBe(11)
  })

  it('fails a delete at the write with WriteConflict', async () => {
    const session = await openTransaction()
    try {
      await rollups.updateOne({ _id: 'doc' as never }, { $set: { touched: true } })
      expectWriteConflict(await failure(rollups.deleteOne({ _id: 'doc' as never }, { session })))
    } finally {
      await finish(session)
    }
    expect(await rollups.countDocuments({ _id: 'doc' as never })).toBe(1)
  })

  it('fails an update of a document deleted after the snapshot with WriteConflict', async () => {
    const session = await openTransaction()
    try {
      await rollups.deleteOne({ _id: 'doc' as never })
      expectWriteConflict(
        await failure(rollups.updateOne({ _id: 'doc' as never }, { $set: { v: 1 } }, { session }))
      )
    } finally {
      await finish(session)
    }
    expect(await rollups.countDocuments({})).toBe(0)
  })
})

describe('writes racing another open transaction', () => {
  it('fails the second transaction to upsert the same new unique key at its write; the first commits', async () => {
    const first = await openTransaction()
    const second = await openTransaction()
    try {
      await rollups.updateOne(slot, { $inc: { count: 1 } }, { upsert: true, session: first })
      expectWriteConflict(
        await failure(rollups.updateOne(slot, { $inc: { count: 1 } }, { upsert: true, session: second }))
      )
      await first.commitTransaction()
    } finally {
      await finish(first)
      await finish(second)
    }
    expect(await rollups.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ ...slot, count: 1 }])
  })

  it('fails the second transaction to update a document the first has written', async () => {
    await rollups.insertOne({ _id: 'doc' as never, ...slot, count: 0 })
    const first = await openTransaction()
    const second = await openTransaction()
    try {
      await rollups.updateOne({ _id: 'doc' as never }, { $inc: { count: 1 } }, { session: first })
      expectWriteConflict(
        await failure(rollups.updateOne({ _id: 'doc' as never }, { $inc: { count: 1 } }, { session: second }))
      )
      await first.commitTransaction()
    } finally {
      await finish(first)
      await finish(second)
    }
    expect((await rollups.findOne({ _id: 'doc' as never }))?.count).toBe(1)
  })

  it('makes a plain insert of a unique key held by an open transaction wait for it, then E11000', async () => {
    const session = await openTransaction()
    let plainSettled = false
    let plain: Promise<unknown> = Promise.resolve()
    try {
      await rollups.insertOne({ ...slot, by: 'txn' }, { session })
      plain = rollups.insertOne({ ...slot, by: 'plain' }).then(
        () => {
          plainSettled = true
          return null
        },
        (e: unknown) => {
          plainSettled = true
          return e
        }
      )
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(plainSettled).toBe(false)
      await session.commitTransaction()
    } finally {
      await finish(session)
    }
    const err = await plain
    expect(err).toBeInstanceOf(MongoServerError)
    expect((err as MongoServerError).code).toBe(11000)
    expect(await rollups.find({}, { projection: { _id: 0, by: 1 } }).toArray()).toEqual([{ by: 'txn' }])
  })

  it('lets the waiting plain insert through when the transaction aborts', async () => {
    const session = await openTransaction()
    let plain: Promise<unknown> = Promise.resolve()
    try {
      await rollups.insertOne({ ...slot, by: 'txn' }, { session })
      plain = rollups.insertOne({ ...slot, by: 'plain' })
      await new Promise((resolve) => setTimeout(resolve, 100))
      await session.abortTransaction()
    } finally {
      await finish(session)
    }
    await plain
    expect(await rollups.find({}, { projection: { _id: 0, by: 1 } }).toArray()).toEqual([{ by: 'plain' }])
  })
})

describe('withTransaction under contention', () => {
  it('converges: 20 concurrent writers upserting the same new key with $inc give one document counting 20', async () => {
    const writers = 20
    const attempts: number[] = []
    await Promise.all(
      Array.from({ length: writers }, async (_, i) => {
        const session = client.startSession()
        attempts[i] = 0
        try {
          await session.withTransaction(async () => {
            attempts[i]++
            await rollups.updateOne(slot, { $inc: { count: 1 } }, { upsert: true, session })
            await rollups.updateOne(
              { ...slot, kind: 'total' },
              { $inc: { count: 1 }, $setOnInsert: { firstWriter: i } },
              { upsert: true, session }
            )
          })
        } finally {
          await session.endSession()
        }
      })
    )
    const docs = await rollups
      .find({}, { projection: { _id: 0, kind: 1, count: 1 } })
      .sort({ kind: 1 })
      .toArray()
    expect(docs).toEqual([
      { kind: 'stage', count: writers },
      { kind: 'total', count: writers }
    ])
    // Contention really happened: some writer needed a retry.
    expect(Math.max(...attempts)).toBeGreaterThan(1)
  })
})

describe('updates inside a transaction and unique keys', () => {
  it('lets a document keep its key, and still refuses one taking another document’s key', async () => {
    await rollups.insertMany([
      { _id: 'a' as never, ...slot, count: 1 },
      { _id: 'b' as never, ...slot, day: '2026-11-25', count: 1 }
    ])
    const first = await openTransaction()
    try {
      // Many updates of other fields of the same documents: their keys stay theirs.
      for (let round = 0; round < 5; round++) {
        await rollups.updateOne({ _id: 'a' as never }, { $inc: { count: 1 } }, { session: first })
        await rollups.updateOne({ _id: 'b' as never }, { $inc: { count: 1 } }, { session: first })
      }
      const taken = await failure(
        rollups.updateOne({ _id: 'b' as never }, { $set: { day: slot.day } }, { session: first })
      )
      expect(taken.code).toBe(11000)
    } finally {
      await finish(first)
    }
    const second = await openTransaction()
    try {
      await rollups.updateOne({ _id: 'a' as never }, { $inc: { count: 1 } }, { session: second })
      // Moving a's key away first frees it for b within the same transaction.
      await rollups.updateOne({ _id: 'a' as never }, { $set: { day: '2026-11-26' } }, { session: second })
      await rollups.updateOne({ _id: 'b' as never }, { $set: { day: slot.day } }, { session: second })
      await second.commitTransaction()
    } finally {
      await finish(second)
    }
    const stored = await rollups.find({}, { sort: { _id: 1 } }).toArray()
    expect(stored.map((doc) => [doc._id, doc.day, doc.count])).toEqual([
      ['a', '2026-11-26', 2],
      ['b', slot.day, 1]
    ])
  })
})
