// Conformance: a retried write (same lsid + txnNumber) is applied once, sent twice over the raw wire protocol.
import { Long, UUID } from 'bson'
import { type Db, MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'
import { WireClient } from './support/wire-client.ts'

let uri: string
let client: MongoClient
let db: Db

beforeAll(async () => {
  uri = testDatabaseUri('devdb_retry')
  client = await MongoClient.connect(uri)
  db = client.db()
  await db.createCollection('r')
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

describe('retryable writes', () => {
  it('applies an insert and an $inc retried with the same lsid/txnNumber exactly once', async () => {
    const wire = await WireClient.connect(uri)
    const wire2 = await WireClient.connect(uri)
    try {
      const lsid = { id: new UUID() }
      const insert = {
        insert: 'r',
        documents: [{ _id: 'once', n: 0 }],
        lsid,
        txnNumber: Long.fromNumber(1),
        $db: db.databaseName
      }
      const first = await wire.command(insert, 11)
      expect(first.responseTo).toBe(11)
      expect(first.reply).toMatchObject({ ok: 1, n: 1 })
      // The retry arrives on another connection, as a driver does after a network error.
      const retry = await wire2.command(insert, 12)
      expect(retry.responseTo).toBe(12)
      expect(retry.reply).toMatchObject({ ok: 1, n: 1 })
      expect(retry.reply.writeErrors).toBeUndefined()

      const inc = {
        update: 'r',
        updates: [{ q: { _id: 'once' }, u: { $inc: { n: 1 } } }],
        lsid,
        txnNumber: Long.fromNumber(2),
        $db: db.databaseName
      }
      await wire.command(inc, 13)
      await wire2.command(inc, 14)
      expect(
        await db
          .collection('r')
          .find({ _id: 'once' as never })
          .toArray()
      ).toEqual([{ _id: 'once', n: 1 }])

      const next = await wire.command({ ...inc, txnNumber: Long.fromNumber(3) }, 15)
      expect(next.reply).toMatchObject({ ok: 1, nModified: 1 })
      expect((await db.collection('r').findOne({ _id: 'once' as never }))?.n).toBe(2)
    } finally {
      wire.close()
      wire2.close()
    }
  })

  it('uses retryable writes through the driver by default', async () => {
    const c = db.collection('driver')
    await c.insertOne({ k: 1 })
    await c.updateOne({ k: 1 }, { $set: { v: 2 } })
    expect(await c.findOne({ k: 1 }, { projection: { _id: 0 } })).toEqual({ k: 1, v: 2 })
  })
})
