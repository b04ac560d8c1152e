// Conformance of the natively compiled aggregation stages: results as MongoDB documents them (accumulators over
// missing/null/mixed types, numeric percentiles, BSON sort order, $count on no input, index use by $match).
import { Long } from 'bson'
import { type Db, MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let client: MongoClient
let db: Db

beforeAll(async () => {
  client = await MongoClient.connect(testDatabaseUri('devdb_aggregation_native'))
  db = client.db()
  await db
    .collection('scores')
    .insertMany([
      { g: 'a', v: 10, s: 'x' },
      { g: 'a', v: 2.5 },
      { g: 'a', v: null, s: 'y' },
      { g: 'a', s: 'x' },
      { g: 'b', v: 'text' },
      { g: 'b', v: 7 },
      { g: null, v: 1 },
      { v: 3 }
    ])
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

function byId(rows: any[]): Record<string, any> {
  return Object.fromEntries(rows.map((r) => [String(r._id), r]))
}

describe('native $group', () => {
  it('accumulates numbers only for $sum/$avg, BSON order for $min/$max, skips missing in $push', async () => {
    const rows = await db
      .collection('scores')
      .aggregate([
        {
          $group: {
            _id: '$g',
            sum: { $sum: '$v' },
            avg: { $avg: '$v' },
            min: { $min: '$v' },
            max: { $max: '$v' },
            first: { $first: '$v' },
            last: { $last: '$v' },
            pushed: { $push: '$v' },
            set: { $addToSet: '$s' },
            n: { $count: {} },
            ones: { $sum: 1 }
          }
        }
      ])
      .toArray()
    expect(rows).toHaveLength(3)
    const groups = byId(rows)
    expect({ ...groups.a, set: groups.a.set.sort() }).toEqual({
      _id: 'a',
      sum: 12.5,
      avg: 6.25,
      min: 2.5,
      max: 10,
      first: 10,
      last: null,
      pushed: [10, 2.5, null],
      set: ['x', 'y'],
      n: 4,
      ones: 4
    })
    // Strings sort above numbers, so $max picks the string; $sum/$avg ignore it.
    expect(groups.b).toEqual({
      _id: 'b',
      sum: 7,
      avg: 7,
      min: 7,
      max: 'text',
      first: 'text',
      last: 7,
      pushed: ['text', 7],
      set: [],
      n: 2,
      ones: 2
    })
    // A null and a missing group key form one group.
    expect(groups.null).toMatchObject({ _id: null, sum: 4, avg: 2, min: 1, max: 3, pushed: [1, 3], n: 2 })
  })

  it('groups by computed keys ($ifNull, objects) and sums $cond expressions', async () => {
    const rows = await db
      .collection('scores')
      .aggregate([
        {
          $group: {
            _id: { g: { $ifNull: ['$g', 'none'] } },
            big: { $sum: { $cond: [{ $gte: ['$v', 5] }, 1, 0] } },
            // biome-ignore lint/suspicious/noThenProperty: $cond's documented object form
            hasS: { $sum: { $cond: { if: { $ne: ['$s', null] }, then: 1, else: 0 } } }
          }
        },
        { $sort: { '_id.g': 1 } }
      ])
      .toArray()
    // 'text' >= 5 holds in aggregation (strings sort above numbers); $ne missing/null: missing is not null.
    expect(rows).toEqual([
      { _id: { g: 'a' }, big: 1, hasS: 4 },
      { _id: { g: 'b' }, big: 2, hasS: 2 },
      { _id: { g: 'none' }, big: 0, hasS: 2 }
    ])
  })

  it('computes $median and $percentile numerically, ignoring non-numeric input', async () => {
    const coll = db.collection('durations')
    await coll.insertMany(
      [9, 10, 100, 2, 1000, 30, 'x', null, Long.fromNumber(5)].map((ms, i) => ({ stage: 'lead', ms, i }))
    )
    const [row] = await coll
      .aggregate([
        {
          $group: {
            _id: '$stage',
            median: { $median: { input: '$ms', method: 'approximate' } },
            pcts: { $percentile: { input: '$ms', p: [0, 0.25, 0.9, 1], method: 'approximate' } }
          }
        }
      ])
      .toArray()
    // Numeric inputs sorted: 2 5 9 10 30 100 1000 (n = 7); value at rank ceil(p * n) - 1.
    expect(row.median).toBe(10)
    expect(row.pcts).toEqual([2, 5, 1000, 1000])
    const [expr] = await coll
      .aggregate([
        { $group: { _id: null, all: { $push: '$ms' } } },
        { $project: { m: { $median: { input: '$all', method: 'approximate' } } } }
      ])
      .toArray()
    expect(expr.m).toBe(10)
  })

  it('sums 64-bit Longs exactly and averages them as doubles', async () => {
    const coll = db.collection('longs')
    await coll.insertMany([{ n: Long.fromString('9007199254740993') }, { n: Long.fromNumber(2) }, { n: 4 }])
    const [row] = await coll
      .aggregate([{ $group: { _id: null, total: { $sum: '$n' }, avg: { $avg: '$n' } } }], {
        promoteLongs: false
      })
      .toArray()
    expect(String(row.total)).toBe('9007199254740999')
    expect(row.avg).toBeCloseTo(Number('9007199254740999') / 3, -2)
  })
})

describe('native $sort, $project, $count, $facet', () => {
  it('sorts numbers numerically and across types in BSON order', async () => {
    const coll = db.collection('sorting')
    const when = new Date('2024-01-01T00:00:00Z')
    await coll.insertMany(
      [10, 9, '8', null, undefined, 100, 2.5, when, Long.fromNumber(50)].map((v, i) =>
        v === undefined ? { i } : { i, v }
      )
    )
    const rows = await coll
      .aggregate([{ $project: { _id: 0, i: 1, v: 1 } }, { $sort: { v: 1, i: 1 } }])
      .toArray()
    expect(rows.map((r) => r.v)).toEqual([null, undefined, 2.5, 9, 10, 50, 100, '8', when])
    const desc = await coll.aggregate([{ $sort: { v: -1, i: 1 } }, { $limit: 3 }]).toArray()
    expect(desc.map((r) => r.v)).toEqual([when, '8', 100])
  })

  it('projects computed fields with $cond, $ifNull, date arithmetic and exclusion', async () => {
    const coll = db.collection('projection')
    const at = new Date('2024-05-01T00:00:00Z')
    await coll.insertOne({ _id: 1 as never, a: 5, at, secret: 'x', nested: { b: 2 } })
    const [row] = await coll
      .aggregate([
        {
          $project: {
            big: { $cond: [{ $gt: ['$a', 3] }, 'yes', 'no'] },
            label: { $ifNull: ['$missing', '$nested.b'] },
            later: { $add: ['$at', 1000] },
            gap: { $subtract: [{ $add: ['$at', 60_000] }, '$at'] },
            product: { $multiply: ['$a', '$nested.b', 2] },
            gone: '$missing'
          }
        }
      ])
      .toArray()
    expect(row).toEqual({
      _id: 1,
      big: 'yes',
      label: 2,
      later: new Date(at.getTime() + 1000),
      gap: 60_000,
      product: 20
    })
    const [excluded] = await coll.aggregate([{ $project: { secret: 0, nested: 0 } }]).toArray()
    expect(excluded).toEqual({ _id: 1, a: 5, at })
    // A nested object in $project is a sub-projection, not an object literal.
    const [sub] = await coll.aggregate([{ $project: { _id: 0, nested: { b: 1 } } }]).toArray()
    expect(sub).toEqual({ nested: { b: 2 } })
  })

  it('emits no $count document for empty input, also inside $facet', async () => {
    const none = await db
      .collection('scores')
      .aggregate([{ $match: { g: 'nobody' } }, { $count: 'n' }])
      .toArray()
    expect(none).toEqual([])
    const [facets] = await db
      .collection('scores')
      .aggregate([
        {
          $facet: {
            total: [{ $count: 'n' }],
            nobody: [{ $match: { g: 'zzz' } }, { $count: 'n' }],
            perGroup: [{ $group: { _id: '$g', n: { $sum: 1 } } }, { $sort: { n: -1 } }, { $limit: 1 }]
          }
        }
      ])
      .toArray()
    expect(facets).toEqual({ total: [{ n: 8 }], nobody: [], perGroup: [{ _id: 'a', n: 4 }] })
  })

  it('never changes stored documents when a later stage runs in the general engine', async () => {
    const coll = db.collection('untouched')
    await coll.insertOne({ _id: 'k' as never, tags: ['a', 'b'], n: 1 })
    await coll.aggregate([{ $match: { n: 1 } }, { $unwind: '$tags' }, { $set: { n: 2 } }]).toArray()
    expect(await coll.findOne({ _id: 'k' as never })).toEqual({ _id: 'k', tags: ['a', 'b'], n: 1 })
  })
})

describe('$match on an index in aggregate', () => {
  it('uses the tenant + date range and groups the matching documents only', async () => {
    const coll = db.collection('history')
    await coll.createIndex({ tenantId: 1, at: 1 })
    const base = Date.UTC(2026, 0, 1)
    await coll.insertMany(
      Array.from({ length: 3000 }, (_, i) => ({
        tenantId: `t${i % 3}`,
        at: new Date(base + i * 60_000),
        from: ['NEW', 'CONTACTED'][i % 2],
        ms: i
      }))
    )
    const from = new Date(base + 600 * 60_000)
    const to = new Date(base + 1200 * 60_000)
    const pipeline = [
      { $match: { tenantId: 't1', at: { $gte: from, $lt: to }, from: { $ne: null } } },
      { $group: { _id: '$from', count: { $sum: 1 }, avg: { $avg: '$ms' } } },
      { $sort: { _id: 1 } }
    ]
    const rows = await coll.aggregate(pipeline).toArray()
    const expected = new Map<string, number[]>()
    for (let i = 600; i < 1200; i++) {
      if (i % 3 !== 1) continue
      const key = ['NEW', 'CONTACTED'][i % 2]
      expected.set(key, [...(expected.get(key) ?? []), i])
    }
    expect(rows).toEqual(
      [...expected.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, list]) => ({
          _id: k,
          count: list.length,
          avg: list.reduce((x, y) => x + y, 0) / list.length
        }))
    )
    const plan = await db.command({
      explain: { aggregate: 'history', pipeline, cursor: {} },
      verbosity: 'executionStats'
    })
    expect(plan.executionStats.totalKeysExamined).toBe(200)
    // The data layer prepends the tenant $match as its own stage: both stages still narrow the index scan.
    const split = [
      { $match: { tenantId: 't1' } },
      { $match: { at: { $gte: from, $lt: to }, from: { $ne: null } } },
      ...pipeline.slice(1)
    ]
    expect(await coll.aggregate(split).toArray()).toEqual(rows)
    const splitPlan = await db.command({
      explain: { aggregate: 'history', pipeline: split, cursor: {} },
      verbosity: 'executionStats'
    })
    expect(splitPlan.executionStats.totalKeysExamined).toBe(200)
  })
})
