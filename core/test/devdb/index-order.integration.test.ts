// Index walks in key order: sort + limit on an index stops after `limit` keys, ranges are bounded scans, and the
// order is MongoDB's (numbers numerically, BSON type order across types) even after updates and deletes.
import { Decimal128, Long, ObjectId } from 'bson'
import { type Db, MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let client: MongoClient
let db: Db
const TENANTS = 20
const PER_TENANT = 500
const base = Date.UTC(2025, 0, 1)

beforeAll(async () => {
  client = await MongoClient.connect(testDatabaseUri('devdb_index_order'))
  db = client.db()
  const leads = db.collection('leads')
  await leads.createIndex({ tenantId: 1, createdAt: -1 })
  // Shuffled insertion order, so insertion order never happens to equal index order.
  const docs = Array.from({ length: TENANTS * PER_TENANT }, (_, i) => ({
    tenantId: `t${i % TENANTS}`,
    createdAt: new Date(base + ((i * 7919) % (TENANTS * PER_TENANT)) * 1000),
    n: i
  }))
  await leads.insertMany(docs)
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

function expected(tenantId: string, direction: 1 | -1): number[] {
  const times: number[] = []
  for (let i = 0; i < TENANTS * PER_TENANT; i++)
    if (i % TENANTS === Number(tenantId.slice(1)))
      times.push(base + ((i * 7919) % (TENANTS * PER_TENANT)) * 1000)
  return times.sort((a, b) => (a - b) * direction)
}

describe('sort + limit on an index', () => {
  it('returns the newest documents of one tenant examining only `limit` keys', async () => {
    const cursor = () => db.collection('leads').find({ tenantId: 't3' }).sort({ createdAt: -1 }).limit(20)
    const rows = await cursor().toArray()
    expect(rows.map((r) => r.createdAt.getTime())).toEqual(expected('t3', -1).slice(0, 20))
    const plan = await cursor().explain('executionStats')
    expect(plan.executionStats.totalKeysExamined).toBe(20)
    expect(plan.executionStats.totalDocsExamined).toBe(20)
  })

  it('walks the index backwards for the opposite direction, with skip', async () => {
    const cursor = () =>
      db.collection('leads').find({ tenantId: 't7' }).sort({ createdAt: 1 }).skip(10).limit(5)
    const rows = await cursor().toArray()
    expect(rows.map((r) => r.createdAt.getTime())).toEqual(expected('t7', 1).slice(10, 15))
    const plan = await cursor().explain('executionStats')
    expect(plan.executionStats.totalKeysExamined).toBe(15)
  })

  it('stops early in aggregate for $match, $sort, $limit', async () => {
    const pipeline = [{ $match: { tenantId: 't5' } }, { $sort: { createdAt: -1 } }, { $limit: 3 }]
    const rows = await db.collection('leads').aggregate(pipeline).toArray()
    expect(rows.map((r) => r.createdAt.getTime())).toEqual(expected('t5', -1).slice(0, 3))
    const plan = await db.command({
      explain: { aggregate: 'leads', pipeline, cursor: {} },
      verbosity: 'executionStats'
    })
    expect(plan.executionStats.totalKeysExamined).toBe(3)
  })

  it('keeps stopping early with a filter on another field, examining keys until enough match', async () => {
    const rows = await db
      .collection('leads')
      .find({ tenantId: 't2', n: { $mod: [2, 0] } })
      .sort({ createdAt: -1 })
      .limit(4)
      .toArray()
    // Every document of t2 has an even n (i % 20 === 2), so the first 4 keys all match.
    expect(rows.map((r) => r.createdAt.getTime())).toEqual(expected('t2', -1).slice(0, 4))
  })

  it('answers a date range on the field after the tenant with a bounded scan', async () => {
    const from = new Date(base + 1000 * 1000)
    const to = new Date(base + 3000 * 1000)
    const filter = { tenantId: 't4', createdAt: { $gte: from, $lt: to } }
    const inRange = expected('t4', 1).filter((t) => t >= from.getTime() && t < to.getTime())
    const rows = await db.collection('leads').find(filter).sort({ createdAt: 1 }).toArray()
    expect(rows.map((r) => r.createdAt.getTime())).toEqual(inRange)
    const plan = await db.collection('leads').find(filter).explain('executionStats')
    expect(plan.executionStats.totalKeysExamined).toBe(inRange.length)
    const counted = await db.collection('leads').countDocuments(filter)
    expect(counted).toBe(inRange.length)
  })

  it('sees inserts, updates and deletes made after the index was first walked in order', async () => {
    const coll = db.collection('churn')
    await coll.createIndex({ tenantId: 1, rank: 1 })
    await coll.insertMany([5, 1, 9, 3].map((rank) => ({ tenantId: 'a', rank })))
    const ranks = async () =>
      (await coll.find({ tenantId: 'a' }).sort({ rank: 1 }).limit(10).toArray()).map((d) => d.rank)
    expect(await ranks()).toEqual([1, 3, 5, 9])
    await coll.insertMany([
      { tenantId: 'a', rank: 4 },
      { tenantId: 'a', rank: 0 }
    ])
    await coll.updateOne({ rank: 9 }, { $set: { rank: 2 } })
    await coll.deleteOne({ rank: 1 })
    expect(await ranks()).toEqual([0, 2, 3, 4, 5])
    // A value removed and added again must appear once.
    await coll.updateOne({ rank: 2 }, { $set: { rank: 7 } })
    await coll.updateOne({ rank: 7 }, { $set: { rank: 2 } })
    await coll.insertOne({ tenantId: 'a', rank: 2 })
    expect(await ranks()).toEqual([0, 2, 2, 3, 4, 5])
  })

  it('includes a transaction’s own writes in sorted, limited reads', async () => {
    const coll = db.collection('txn_sorted')
    await coll.createIndex({ tenantId: 1, at: -1 })
    await coll.insertMany([1, 2, 3].map((at) => ({ tenantId: 'a', at })))
    const session = client.startSession()
    try {
      await session.withTransaction(async () => {
        await coll.insertOne({ tenantId: 'a', at: 10 }, { session })
        const top = await coll.find({ tenantId: 'a' }, { session }).sort({ at: -1 }).limit(2).toArray()
        expect(top.map((d) => d.at)).toEqual([10, 3])
      })
    } finally {
      await session.endSession()
    }
  })
})

describe('order of values in an index', () => {
  it('sorts numbers numerically and other types in BSON type order', async () => {
    const coll = db.collection('mixed')
    await coll.createIndex({ tenantId: 1, v: 1 })
    const oid = new ObjectId('0123456789abcdef01234567')
    const values: [string, unknown][] = [
      ['date', new Date(5)],
      ['true', true],
      ['false', false],
      ['oid', oid],
      ['str-b', 'b'],
      ['str-B', 'B'],
      ['str-10', '10'],
      ['str-9', '9'],
      ['n100', 100],
      ['n9', 9],
      ['n10.5', 10.5],
      ['long3', Long.fromNumber(3)],
      ['neg', -2.5],
      ['negbig', -1e20],
      ['dec7', Decimal128.fromString('7')],
      ['zero', 0],
      ['null', null],
      ['missing', undefined]
    ]
    await coll.insertMany(
      values.map(([label, v]) => (v === undefined ? { tenantId: 'a', label } : { tenantId: 'a', label, v }))
    )
    const order = [
      'null',
      'missing',
      'negbig',
      'neg',
      'zero',
      'long3',
      'dec7',
      'n9',
      'n10.5',
      'n100',
      'str-10',
      'str-9',
      'str-B',
      'str-b',
      'oid',
      'false',
      'true',
      'date'
    ]
    const asc = await coll.find({ tenantId: 'a' }).sort({ v: 1 }).limit(100).toArray()
    // null and missing compare equal; their relative order is unspecified.
    const norm = (labels: string[]) => labels.map((l) => (l === 'missing' ? 'null' : l))
    expect(norm(asc.map((d) => d.label))).toEqual(norm(order))
    const desc = await coll.find({ tenantId: 'a' }).sort({ v: -1 }).limit(100).toArray()
    expect(norm(desc.map((d) => d.label))).toEqual(norm([...order].reverse()))
    const plan = await coll.find({ tenantId: 'a' }).sort({ v: 1 }).limit(3).explain('executionStats')
    expect(plan.executionStats.totalKeysExamined).toBe(3)
    const between = await coll
      .find({ tenantId: 'a', v: { $gt: 3, $lte: 100 } })
      .sort({ v: 1 })
      .toArray()
    expect(between.map((d) => d.label)).toEqual(['dec7', 'n9', 'n10.5', 'n100'])
  })

  it('sorts an array field by its smallest element ascending and largest descending', async () => {
    const coll = db.collection('multikey')
    await coll.createIndex({ tenantId: 1, tags: 1 })
    await coll.insertMany([
      { tenantId: 'a', label: 'x', tags: [5, 50] },
      { tenantId: 'a', label: 'y', tags: 10 },
      { tenantId: 'a', label: 'z', tags: [1, 20] }
    ])
    const asc = await coll.find({ tenantId: 'a' }).sort({ tags: 1 }).limit(3).toArray()
    expect(asc.map((d) => d.label)).toEqual(['z', 'x', 'y'])
    const desc = await coll.find({ tenantId: 'a' }).sort({ tags: -1 }).limit(3).toArray()
    expect(desc.map((d) => d.label)).toEqual(['x', 'z', 'y'])
    // Without $elemMatch each bound may be met by a different element: [5, 50] matches too.
    const ranged = await coll.find({ tenantId: 'a', tags: { $gt: 15, $lt: 30 } }).toArray()
    expect(ranged.map((d) => d.label).sort()).toEqual(['x', 'z'])
  })
})
