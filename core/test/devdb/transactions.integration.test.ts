// Conformance: multi-document transactions (commit, abort, isolation, write conflicts, withTransaction retry).
import { type Collection, type Db, MongoClient, MongoServerError } from 'mongodb'
import mongoose from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let uri: string
let client: MongoClient
let db: Db
let accounts: Collection

beforeAll(async () => {
  uri = testDatabaseUri('devdb_txn')
  client = await MongoClient.connect(uri)
  db = client.db()
  accounts = db.collection('accounts')
  await db.createCollection('accounts')
  await db.createCollection('ledger')
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

describe('transactions', () => {
  it('commits writes to several collections atomically and hides them until commit', async () => {
    const session = client.startSession()
    try {
      session.startTransaction()
      await accounts.insertOne({ _id: 'a1' as never, balance: 100 }, { session })
      await db.collection('ledger').insertOne({ account: 'a1', delta: 100 }, { session })
      expect(await accounts.findOne({ _id: 'a1' as never }, { session })).toMatchObject({ balance: 100 })
      expect(await accounts.findOne({ _id: 'a1' as never })).toBeNull()
      expect(await db.collection('ledger').countDocuments({ account: 'a1' })).toBe(0)
      await session.commitTransaction()
    } finally {
      await session.endSession()
    }
    expect(await accounts.findOne({ _id: 'a1' as never })).toMatchObject({ balance: 100 })
    expect(await db.collection('ledger').countDocuments({ account: 'a1' })).toBe(1)
  })

  it('discards everything on abort', async () => {
    const session = client.startSession()
    try {
      session.startTransaction()
      await accounts.insertOne({ _id: 'gone' as never }, { session })
      await accounts.updateOne({ _id: 'a1' as never }, { $inc: { balance: -50 } }, { session })
      await session.abortTransaction()
    } finally {
      await session.endSession()
    }
    expect(await accounts.findOne({ _id: 'gone' as never })).toBeNull()
    expect(await accounts.findOne({ _id: 'a1' as never })).toMatchObject({ balance: 100 })
  })

  it('fails the second of two transactions writing the same document with a transient WriteConflict', async () => {
    await accounts.insertOne({ _id: 'c1' as never, n: 0 })
    const s1 = client.startSession()
    const s2 = client.startSession()
    try {
      s1.startTransaction()
      s2.startTransaction()
      await accounts.updateOne({ _id: 'c1' as never }, { $inc: { n: 1 } }, { session: s1 })
      const err = await accounts
        .updateOne({ _id: 'c1' as never }, { $inc: { n: 10 } }, { session: s2 })
        .catch((e) => e)
      expect(err).toBeInstanceOf(MongoServerError)
      expect(err.code).toBe(112)
      expect(err.codeName).toBe('WriteConflict')
      expect(err.hasErrorLabel('TransientTransactionError')).toBe(true)
      await s2.abortTransaction()
      await s1.commitTransaction()
    } finally {
      await s1.endSession()
      await s2.endSession()
    }
    expect(await accounts.findOne({ _id: 'c1' as never })).toMatchObject({ n: 1 })
  })

  it('conflicts when a document changed after the transaction snapshot', async () => {
    await accounts.insertOne({ _id: 'v1' as never, n: 0 })
    const session = client.startSession()
    try {
      session.startTransaction()
      await accounts.findOne({ _id: 'v1' as never }, { session })
      await accounts.updateOne({ _id: 'v1' as never }, { $inc: { n: 5 } })
      const err = await accounts
        .updateOne({ _id: 'v1' as never }, { $inc: { n: 1 } }, { session })
        .catch((e) => e)
      expect(err.code).toBe(112)
      await session.abortTransaction().catch(() => {})
    } finally {
      await session.endSession()
    }
    expect(await accounts.findOne({ _id: 'v1' as never })).toMatchObject({ n: 5 })
  })

  it('retries withTransaction after a WriteConflict and applies the callback once', async () => {
    await accounts.insertOne({ _id: 'w1' as never, n: 0 })
    const blocker = client.startSession()
    const session = client.startSession()
    let attempts = 0
    try {
      blocker.startTransaction()
      await accounts.updateOne({ _id: 'w1' as never }, { $inc: { n: 100 } }, { session: blocker })
      await session.withTransaction(async () => {
        attempts++
        try {
          await accounts.updateOne({ _id: 'w1' as never }, { $inc: { n: 1 } }, { session })
        } catch (err) {
          if (attempts === 1) await blocker.commitTransaction()
          throw err
        }
      })
    } finally {
      await blocker.endSession()
      await session.endSession()
    }
    expect(attempts).toBe(2)
    expect(await accounts.findOne({ _id: 'w1' as never })).toMatchObject({ n: 101 })
  })

  it('makes a plain write wait for the transaction holding the document', async () => {
    await accounts.insertOne({ _id: 'b1' as never, n: 0 })
    const session = client.startSession()
    try {
      session.startTransaction()
      await accounts.updateOne({ _id: 'b1' as never }, { $inc: { n: 1 } }, { session })
      let done = false
      const plain = accounts.updateOne({ _id: 'b1' as never }, { $inc: { n: 10 } }).then(() => {
        done = true
      })
      await new Promise((r) => setTimeout(r, 150))
      expect(done).toBe(false)
      await session.commitTransaction()
      await plain
    } finally {
      await session.endSession()
    }
    expect(await accounts.findOne({ _id: 'b1' as never })).toMatchObject({ n: 11 })
  })

  it('aborts a transaction after a write error so commit reports NoSuchTransaction', async () => {
    await accounts.insertOne({ _id: 'dup' as never })
    const session = client.startSession()
    try {
      session.startTransaction()
      await accounts.insertOne({ _id: 'inside' as never }, { session })
      await expect(accounts.insertOne({ _id: 'dup' as never }, { session })).rejects.toMatchObject({
        code: 11000
      })
      const err = await session.commitTransaction().catch((e) => e)
      expect(err.code).toBe(251)
      expect(err.codeName).toBe('NoSuchTransaction')
    } finally {
      await session.endSession()
    }
    expect(await accounts.findOne({ _id: 'inside' as never })).toBeNull()
  })

  it('works with mongoose connection.transaction()', async () => {
    const conn = await mongoose.createConnection(uri).asPromise()
    try {
      const Item = conn.model('Item', new mongoose.Schema({ sku: String, qty: Number }))
      await Item.createCollection()
      await conn.transaction(async (session) => {
        await Item.create([{ sku: 'x', qty: 1 }], { session })
        await Item.updateOne({ sku: 'x' }, { $inc: { qty: 1 } }, { session })
      })
      expect(await Item.findOne({ sku: 'x' }).lean()).toMatchObject({ qty: 2 })
      await expect(
        conn.transaction(async (session) => {
          await Item.create([{ sku: 'y', qty: 1 }], { session })
          throw new Error('rollback')
        })
      ).rejects.toThrow('rollback')
      expect(await Item.countDocuments({ sku: 'y' })).toBe(0)
    } finally {
      await conn.close()
    }
  })
})
