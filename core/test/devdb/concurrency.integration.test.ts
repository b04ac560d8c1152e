// Concurrent writers on many connections: no lost updates, unique indexes hold under contention.
import { type Db, MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let uri: string
let clients: MongoClient[] = []
let db: Db

beforeAll(async () => {
  uri = testDatabaseUri('devdb_concurrency')
  clients = await Promise.all(Array.from({ length: 8 }, () => MongoClient.connect(uri, { maxPoolSize: 4 })))
  db = clients[0].db()
})

afterAll(async () => {
  await db?.dropDatabase()
  await Promise.all(clients.map((c) => c.close()))
})

describe('concurrent clients', () => {
  it('applies every $inc from many connections exactly once', async () => {
    await db.collection('counters').insertOne({ _id: 'c' as never, n: 0 })
    await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 4 }, async () => {
          const coll = client.db().collection('counters')
          for (let i = 0; i < 50; i++) await coll.updateOne({ _id: 'c' as never }, { $inc: { n: 1 } })
        })
      )
    )
    expect((await db.collection('counters').findOne({ _id: 'c' as never }))?.n).toBe(8 * 4 * 50)
  })

  it('lets exactly one of many racing inserts claim a unique key', async () => {
    await db.collection('claims').createIndex({ key: 1 }, { unique: true })
    const results = await Promise.allSettled(
      clients.flatMap((client, i) =>
        Array.from({ length: 4 }, (_, j) =>
          client
            .db()
            .collection('claims')
            .insertOne({ key: 'k', by: `${i}-${j}` })
        )
      )
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(rejected.every((r) => r.reason.code === 11000)).toBe(true)
  })

  it('keeps reads consistent while writers insert in parallel', async () => {
    const coll = db.collection('stream')
    const writers = clients.map((client, w) =>
      (async () => {
        const c = client.db().collection('stream')
        for (let i = 0; i < 100; i++) await c.insertOne({ w, i })
      })()
    )
    let last = 0
    for (let k = 0; k < 20; k++) {
      const n = await coll.countDocuments()
      expect(n).toBeGreaterThanOrEqual(last)
      last = n
    }
    await Promise.all(writers)
    expect(await coll.countDocuments()).toBe(800)
  })
})
