// Snapshot isolation inside transactions: reads see the data as of the transaction's first operation plus its
// own writes, whatever others commit meanwhile; writing a document changed since then is still a WriteConflict.
import { type Collection, type Db, MongoClient, MongoServerError } from 'mongodb'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let client: MongoClient
let db: Db
let items: Collection

beforeAll(async () => {
  client = await MongoClient.connect(testDatabaseUri('devdb_snapshot'))
  db = client.db()
  items = db.collection('items')
  await items.createIndex({ tenantId: 1, rank: 1 })
})

beforeEach(async () => {
  await items.deleteMany({})
  await items.insertMany([
    { _id: 'x' as never, tenantId: 'a', rank: 1, v: 'old' },
    { _id: 'z' as never, tenantId: 'a', rank: 3, v: 'doomed' }
  ])
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

describe('reads inside a transaction', () => {
  it('do not see updates, inserts or deletes committed by others after the transaction started', async () => {
    const session = client.startSession()
    try {
      session.startTransaction()
      expect(await items.countDocuments({ tenantId: 'a' }, { session })).toBe(2)
      await items.updateOne({ _id: 'x' as never }, { $set: { v: 'new', rank: 9 } })
      await items.insertOne({ _id: 'y' as never, tenantId: 'a', rank: 2, v: 'late' })
      await items.deleteOne({ _id: 'z' as never })
      const seen = await items.find({ tenantId: 'a' }, { session }).sort({ rank: 1 }).toArray()
      expect(seen).toEqual([
        { _id: 'x', tenantId: 'a', rank: 1, v: 'old' },
        { _id: 'z', tenantId: 'a', rank: 3, v: 'doomed' }
      ])
      expect(await items.findOne({ _id: 'y' as never }, { session })).toBeNull()
      // The old version matches by its old values, the new one must not match.
      expect(await items.countDocuments({ tenantId: 'a', rank: 9 }, { session })).toBe(0)
      expect(await items.countDocuments({ tenantId: 'a', rank: 1 }, { session })).toBe(1)
      const grouped = await items
        .aggregate([{ $match: { tenantId: 'a' } }, { $group: { _id: null, n: { $sum: 1 } } }], { session })
        .toArray()
      expect(grouped).toEqual([{ _id: null, n: 2 }])
      await session.commitTransaction()
    } finally {
      await session.endSession()
    }
    const after = await items.find({ tenantId: 'a' }).sort({ rank: 1 }).toArray()
    expect(after.map((d) => d._id)).toEqual(['y', 'x'])
  })

  it('see their own writes over the snapshot', async () => {
    const session = client.startSession()
    try {
      session.startTransaction()
      await items.updateOne({ _id: 'z' as never }, { $set: { v: 'mine' } }, { session })
      await items.insertOne({ _id: 'w' as never, tenantId: 'a', rank: 0, v: 'other' })
      const seen = await items.find({ tenantId: 'a' }, { session }).sort({ rank: 1 }).limit(5).toArray()
      expect(seen.map((d) => [d._id, d.v])).toEqual([
        ['x', 'old'],
        ['z', 'mine']
      ])
      await session.abortTransaction()
    } finally {
      await session.endSession()
    }
  })

  it('still fail with a WriteConflict when writing a document changed after they started', async () => {
    const session = client.startSession()
    try {
      session.startTransaction()
      await items.findOne({ _id: 'x' as never }, { session })
      await items.updateOne({ _id: 'x' as never }, { $set: { v: 'outside' } })
      const error = await items
        .updateOne({ _id: 'x' as never }, { $set: { v: 'inside' } }, { session })
        .catch((err) => err)
      expect(error).toBeInstanceOf(MongoServerError)
      expect((error as MongoServerError).code).toBe(112)
      expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true)
    } finally {
      await session.endSession()
    }
    expect(await items.findOne({ _id: 'x' as never })).toMatchObject({ v: 'outside' })
  })

  it('of two overlapping transactions each keep their own snapshot', async () => {
    const first = client.startSession()
    const second = client.startSession()
    try {
      first.startTransaction()
      expect(await items.countDocuments({}, { session: first })).toBe(2)
      await items.insertOne({ _id: 'p' as never, tenantId: 'a', rank: 5 })
      second.startTransaction()
      expect(await items.countDocuments({}, { session: second })).toBe(3)
      await items.insertOne({ _id: 'q' as never, tenantId: 'a', rank: 6 })
      expect(await items.countDocuments({}, { session: first })).toBe(2)
      expect(await items.countDocuments({}, { session: second })).toBe(3)
      await first.commitTransaction()
      // The first one ending must not drop versions the second still reads.
      expect(await items.countDocuments({}, { session: second })).toBe(3)
      await second.commitTransaction()
    } finally {
      await first.endSession()
      await second.endSession()
    }
    expect(await items.countDocuments({})).toBe(4)
  })
})
