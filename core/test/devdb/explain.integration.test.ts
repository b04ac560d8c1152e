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
})
