// Index selection: equality on _id and on leading compound-index fields is answered from the index.
import { type Db, MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let client: MongoClient
let db: Db

beforeAll(async () => {
  client = await MongoClient.connect(testDatabaseUri('devdb_explain'))
  db = client.db()
  const users = db.collection('users')
  await users.createIndex({ tenantId: 1, email: 1 }, { unique: true })
  await users.createIndex({ tenantId: 1, createdAt: -1 })
  const base = Date.UTC(2024, 0, 1)
  await users.insertMany(
    Array.from({ length: 2000 }, (_, i) => ({
      _id: i as never,
      tenantId: i < 20 ? 'small' : `big${i % 5}`,
      email: `u${i}@x`,
      createdAt: new Date(base + i * 1000)
    }))
  )
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

function stage(plan: any): string {
  return JSON.stringify(plan.queryPlanner?.winningPlan ?? plan)
}

describe('explain and index use', () => {
  it('answers _id equality from the _id index examining one key', async () => {
    const plan = await db
      .collection('users')
      .find({ _id: 42 as never })
      .explain('executionStats')
    expect(plan.executionStats.totalKeysExamined).toBe(1)
    expect(plan.executionStats.totalDocsExamined).toBe(1)
    // mongod names its _id fast path IDHACK (7.0) or EXPRESS_IXSCAN (8.0).
    expect(stage(plan)).toMatch(/IXSCAN|IDHACK/)
  })

  it('answers _id equality from the _id index even when a compound index matches more of the filter', async () => {
    // { tenantId, createdAt } binds two of the filter's fields; the _id index only one, but finds one document.
    const filter = {
      _id: 1500 as never,
      tenantId: 'big0',
      createdAt: new Date(Date.UTC(2024, 0, 1) + 1_500_000)
    }
    const plan = await db.collection('users').find(filter).explain('executionStats')
    expect(plan.executionStats.nReturned).toBe(1)
    expect(plan.executionStats.totalKeysExamined).toBe(1)
    expect(plan.executionStats.totalDocsExamined).toBe(1)
    expect(stage(plan)).not.toMatch(/tenantId_1/)
    // The same for a write's filter (an update with a status guard, as the payments batch writes it).
    const result = await db
      .collection('users')
      .updateOne({ ...filter, tenantId: 'big0' }, { $set: { seen: true } })
    expect(result.modifiedCount).toBe(1)
  })

  it('examines only the tenant keys for a tenant-scoped query sorted by createdAt', async () => {
    const plan = await db
      .collection('users')
      .find({ tenantId: 'small' })
      .sort({ createdAt: -1 })
      .explain('executionStats')
    expect(plan.executionStats.nReturned).toBe(20)
    expect(plan.executionStats.totalKeysExamined).toBe(20)
    expect(plan.executionStats.totalDocsExamined).toBe(20)
    expect(stage(plan)).toMatch(/tenantId_1_(createdAt_-1|email_1)/)
  })

  it('uses the compound unique index for tenant + email equality', async () => {
    const plan = await db
      .collection('users')
      .find({ tenantId: 'small', email: 'u3@x' })
      .explain('executionStats')
    expect(plan.executionStats.nReturned).toBe(1)
    expect(plan.executionStats.totalKeysExamined).toBe(1)
    expect(stage(plan)).toContain('tenantId_1_email_1')
  })

  it('falls back to a collection scan without a usable index', async () => {
    const plan = await db.collection('users').find({ email: 'u3@x' }).explain('executionStats')
    expect(plan.executionStats.totalDocsExamined).toBe(2000)
    expect(stage(plan)).toContain('COLLSCAN')
  })

  it('returns correct results for $in on an indexed field', async () => {
    const docs = await db
      .collection('users')
      .find({ _id: { $in: [1, 2, 3, 99999] as never[] } })
      .sort({ _id: 1 })
      .toArray()
    expect(docs.map((d) => d._id)).toEqual([1, 2, 3])
  })

  it('accepts hints naming an index and refuses hints naming none', async () => {
    const users = db.collection('users')
    expect(await users.find({ tenantId: 'small' }).hint('tenantId_1_email_1').count()).toBe(20)
    expect(
      await users.find({ tenantId: 'small' }).hint({ tenantId: 1, createdAt: -1 }).toArray()
    ).toHaveLength(20)
    await expect(users.find({ tenantId: 'small' }).hint('no_such_index').toArray()).rejects.toMatchObject({
      code: 2
    })
  })

  it('answers a tenant-scoped $or over two indexed fields with one index scan per branch', async () => {
    const filter = {
      tenantId: 'big1',
      $or: [
        { email: { $in: ['u1@x', 'u6@x', 'u11@x'] } },
        { createdAt: new Date(Date.UTC(2024, 0, 1) + 21_000) }
      ]
    }
    const users = db.collection('users')
    const found = await users.find(filter).toArray()
    // u11 is tenant big1 (11 % 5), u1/u6 are 'small' (i < 20); the second branch is document 21 (big1).
    expect(found.map((doc) => doc._id).sort()).toEqual([21])
    const plan = await users.find(filter).explain('executionStats')
    expect(plan.executionStats.nReturned).toBe(1)
    // Not the tenant's ~400 keys: only the branches' own.
    expect(plan.executionStats.totalKeysExamined).toBeLessThanOrEqual(2)
    // A document matching both branches comes back once.
    const both = await users
      .find({
        tenantId: 'small',
        $or: [{ email: 'u3@x' }, { createdAt: new Date(Date.UTC(2024, 0, 1) + 3_000) }]
      })
      .toArray()
    expect(both.map((doc) => doc._id)).toEqual([3])
  })

  it('keeps one plan for an $or with a branch no index serves, and its answers are the same', async () => {
    const users = db.collection('users')
    const filter = { tenantId: 'small', $or: [{ email: 'u2@x' }, { nickname: 'none' }] }
    expect((await users.find(filter).toArray()).map((doc) => doc._id)).toEqual([2])
    const plan = await users.find(filter).explain('executionStats')
    // The tenant prefix of one index: the tenant's 20 keys.
    expect(plan.executionStats.totalKeysExamined).toBe(20)
  })
})

describe('null equality from an index', () => {
  // An outbox-like collection: most documents dispatched, a few waiting with dispatchedAt null or missing.
  const docs = [
    ...Array.from({ length: 500 }, (_, i) => ({
      _id: i,
      dispatchedAt: new Date(Date.UTC(2024, 0, 1) + i),
      n: i
    })),
    { _id: 1000, dispatchedAt: null, n: 3 },
    { _id: 1001, n: 1 },
    { _id: 1002, dispatchedAt: [null, new Date(0)], n: 2 },
    { _id: 1003, dispatchedAt: [], n: 4 },
    { _id: 1004, dispatchedAt: [new Date(0)], n: 5 }
  ]

  beforeAll(async () => {
    await db.collection('outbox').insertMany(docs as never[])
    await db.collection('outbox').createIndex({ dispatchedAt: 1 })
    await db.collection('sparse_outbox').insertMany(docs as never[])
    await db.collection('sparse_outbox').createIndex({ dispatchedAt: 1 }, { sparse: true })
  })

  it('answers { field: null } from the index with MongoDB semantics (null, missing, arrays holding null)', async () => {
    const outbox = db.collection('outbox')
    const expected = [1000, 1001, 1002]
    const ids = async (filter: object) =>
      (await outbox.find(filter).toArray()).map((doc) => doc._id).sort((a: any, b: any) => a - b)
    expect(await ids({ dispatchedAt: null })).toEqual(expected)
    expect(await ids({ dispatchedAt: { $eq: null } })).toEqual(expected)
    expect(await ids({ dispatchedAt: { $in: [null, new Date(Date.UTC(2024, 0, 1) + 7)] } })).toEqual([
      7,
      ...expected
    ])
    const plan = await outbox.find({ dispatchedAt: null }).explain('executionStats')
    expect(plan.executionStats.nReturned).toBe(3)
    // The null keys only (the empty array is kept under null too and removed by the filter), not 505 documents.
    expect(plan.executionStats.totalDocsExamined).toBeLessThanOrEqual(4)
    // Sorted by another field, and a write with the same filter.
    expect((await outbox.find({ dispatchedAt: null }).sort({ n: -1 }).toArray()).map((d) => d._id)).toEqual([
      1000, 1002, 1001
    ])
    const updated = await outbox.updateMany({ dispatchedAt: null }, { $set: { seen: true } })
    expect(updated.modifiedCount).toBe(3)
  })

  it('prefers any other equality to a null one (most documents can lack the field)', async () => {
    const people = db.collection('people')
    await people.insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        _id: i as never,
        tenantId: `t${i % 3}`,
        ...(i % 50 === 1 ? { archivedAt: new Date(0) } : {})
      }))
    )
    await people.createIndex({ archivedAt: 1 })
    await people.createIndex({ tenantId: 1 })
    const filter = { tenantId: 't1', archivedAt: null }
    expect(await people.countDocuments(filter)).toBe(98)
    const plan = await people.find(filter).explain('executionStats')
    expect(plan.executionStats.nReturned).toBe(98)
    // The tenant's 100 keys, not the ~294 documents without archivedAt.
    expect(plan.executionStats.totalKeysExamined).toBe(100)
    expect(stage(plan)).toMatch(/tenantId_1/)
  })

  it('does not answer null from a sparse index (it leaves out documents missing the field)', async () => {
    const sparse = db.collection('sparse_outbox')
    const found = (await sparse.find({ dispatchedAt: null }).toArray()).map((doc) => doc._id)
    expect(found.sort((a: any, b: any) => a - b)).toEqual([1000, 1001, 1002])
    const plan = await sparse.find({ dispatchedAt: null }).explain('executionStats')
    expect(stage(plan)).not.toMatch(/dispatchedAt_1/)
  })
})

describe('sort fields fixed by an equality', () => {
  it('still sorts by a field an equality fixes when a document holds it as an array (its other elements)', async () => {
    const items = db.collection('sorted_items')
    await items.insertMany([
      { _id: 1, s: ['a', 'x'], t: 2 },
      { _id: 2, s: 'x', t: 1 }
    ] as never[])
    await items.createIndex({ t: 1 })
    // Ascending on s: ['a', 'x'] sorts by 'a', before 'x', whatever t says.
    const found = await items.find({ s: 'x' }).sort({ s: 1, t: 1 }).toArray()
    expect(found.map((doc) => doc._id)).toEqual([1, 2])
  })

  it('walks an index in order when the equality field is in its prefix (no arrays in it)', async () => {
    const plan = await db
      .collection('users')
      .find({ tenantId: 'small' })
      .sort({ tenantId: 1, createdAt: -1 })
      .limit(3)
      .explain('executionStats')
    expect(plan.executionStats.totalKeysExamined).toBe(3)
  })

  it('does not prefer a long $in on a unique index to a selective prefix of another', async () => {
    // The small tenant's 20 addresses among 1,000.
    const emails = Array.from({ length: 1000 }, (_, i) => `u${i < 20 ? i : i + 1000}@x`)
    const plan = await db
      .collection('users')
      .find({ email: { $in: emails }, tenantId: 'small', createdAt: new Date(Date.UTC(2024, 0, 1) + 5000) })
      .explain('executionStats')
    expect(plan.executionStats.nReturned).toBe(1)
    // tenantId + createdAt: one key, not the 20 the lookups in { tenantId, email } find.
    expect(plan.executionStats.totalKeysExamined).toBe(1)
  })
})
