// Conformance: aggregation stages and expressions the platform relies on.
import { type Db, MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let client: MongoClient
let db: Db

beforeAll(async () => {
  client = await MongoClient.connect(testDatabaseUri('devdb_aggregation'))
  db = client.db()
  await db.collection('orders').insertMany([
    { tenant: 'a', amount: 10, at: new Date('2024-01-15T10:00:00Z'), items: ['x', 'y'], customer: 1 },
    { tenant: 'a', amount: 30, at: new Date('2024-02-01T10:00:00Z'), items: ['x'], customer: 2 },
    { tenant: 'b', amount: 5, at: new Date('2024-02-10T10:00:00Z'), items: [], customer: 1 },
    { tenant: 'b', amount: 55, at: new Date('2025-03-10T10:00:00Z'), items: ['z'], customer: 3 }
  ])
  await db.collection('customers').insertMany([
    { _id: 1 as never, name: 'one' },
    { _id: 2 as never, name: 'two' }
  ])
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

describe('aggregate', () => {
  it('$match $group $sort $limit $skip $project $addFields $set', async () => {
    const out = await db
      .collection('orders')
      .aggregate([
        { $match: { amount: { $gte: 5 } } },
        { $group: { _id: '$tenant', total: { $sum: '$amount' }, n: { $sum: 1 }, max: { $max: '$amount' } } },
        { $sort: { total: -1 } },
        { $addFields: { avg: { $divide: ['$total', '$n'] } } },
        { $set: { label: { $concat: ['t-', '$_id'] } } },
        { $project: { _id: 0, label: 1, total: 1, avg: 1 } },
        { $skip: 0 },
        { $limit: 5 }
      ])
      .toArray()
    expect(out).toEqual([
      { total: 60, avg: 30, label: 't-b' },
      { total: 40, avg: 20, label: 't-a' }
    ])
  })

  it('$unwind $lookup $count $facet $bucket and date operators', async () => {
    const orders = db.collection('orders')
    const unwound = await orders.aggregate([{ $unwind: '$items' }, { $count: 'n' }]).toArray()
    expect(unwound).toEqual([{ n: 4 }])
    const joined = await orders
      .aggregate([
        { $match: { tenant: 'a' } },
        { $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } },
        { $project: { _id: 0, name: { $first: '$who.name' } } }
      ])
      .toArray()
    expect(joined).toEqual([{ name: 'one' }, { name: 'two' }])
    const [facets] = await orders
      .aggregate([
        {
          $facet: {
            byYear: [{ $group: { _id: { $year: '$at' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
            months: [
              { $project: { _id: 0, m: { $dateToString: { format: '%Y-%m', date: '$at' } } } },
              { $sort: { m: 1 } },
              { $limit: 2 }
            ],
            buckets: [
              {
                $bucket: {
                  groupBy: '$amount',
                  boundaries: [0, 20, 100],
                  default: 'other',
                  output: { n: { $sum: 1 } }
                }
              }
            ]
          }
        }
      ])
      .toArray()
    expect(facets.byYear).toEqual([
      { _id: 2024, n: 3 },
      { _id: 2025, n: 1 }
    ])
    expect(facets.months).toEqual([{ m: '2024-01' }, { m: '2024-02' }])
    expect(facets.buckets).toEqual([
      { _id: 0, n: 2 },
      { _id: 20, n: 2 }
    ])
  })

  it('takes the fixed time zones MongoDB takes (UTC, GMT, Etc/GMT±N) beside region names and offsets', async () => {
    const c = db.collection('zones')
    await c.insertOne({ at: new Date('2026-03-01T02:30:00Z') })
    const dayIn = async (timezone: string) => {
      const [row] = await c
        .aggregate([
          { $project: { _id: 0, d: { $dateToString: { date: '$at', format: '%Y-%m-%d %H:%M', timezone } } } }
        ])
        .toArray()
      return row.d
    }
    expect(await dayIn('UTC')).toBe('2026-03-01 02:30')
    expect(await dayIn('GMT')).toBe('2026-03-01 02:30')
    expect(await dayIn('Etc/UTC')).toBe('2026-03-01 02:30')
    // POSIX signs: Etc/GMT+5 is five hours behind UTC.
    expect(await dayIn('Etc/GMT+5')).toBe('2026-02-28 21:30')
    expect(await dayIn('Etc/GMT-3')).toBe('2026-03-01 05:30')
    expect(await dayIn('America/New_York')).toBe('2026-02-28 21:30')
    expect(await dayIn('+01:00')).toBe('2026-03-01 03:30')
    // A zone taken from the document ($-path) is left to the expression engine as it is.
    const [fromField] = await c
      .aggregate([
        { $set: { zone: '+02:00' } },
        { $project: { _id: 0, d: { $dateToString: { date: '$at', format: '%H', timezone: '$zone' } } } }
      ])
      .toArray()
    expect(fromField.d).toBe('04')
    // A field merely named timezone is data, not an operand: kept as written.
    const [kept] = await c
      .aggregate([{ $project: { _id: 0, timezone: { $literal: 'UTC' }, settings: { timezone: 'GMT' } } }])
      .toArray()
    expect(kept).toEqual({ timezone: 'UTC', settings: { timezone: 'GMT' } })
  })

  it('counts through countDocuments (aggregate with $match/$group) and refuses $out clearly', async () => {
    expect(await db.collection('orders').countDocuments({ tenant: 'a' }, { skip: 1 })).toBe(1)
    const err = await db
      .collection('orders')
      .aggregate([{ $out: 'copy' }])
      .toArray()
      .catch((e) => e)
    if (err instanceof Error) expect(err.message).toMatch(/\$out/)
  })

  it('never modifies stored documents while computing stages', async () => {
    const c = db.collection('pristine')
    await c.insertOne({ k: 1, sub: { s: 1 }, arr: [{ q: 1 }] })
    await c.aggregate([{ $set: { 'sub.t': 2 } }]).toArray()
    await c.aggregate([{ $unwind: '$arr' }, { $set: { 'arr.w': 3 } }]).toArray()
    await c
      .aggregate([
        { $group: { _id: null, all: { $push: '$$ROOT' } } },
        { $unwind: '$all' },
        { $set: { 'all.mut': 1 } }
      ])
      .toArray()
    await c
      .aggregate([
        { $lookup: { from: 'pristine', localField: 'k', foreignField: 'k', as: 'me' } },
        { $set: { 'me.x': 1 } }
      ])
      .toArray()
    expect(await c.findOne({}, { projection: { _id: 0 } })).toEqual({ k: 1, sub: { s: 1 }, arr: [{ q: 1 }] })
  })
})
