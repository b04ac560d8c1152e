// insertLeanOne: the same stored document and tenant isolation as a lean Model.insertMany of one document.
import mongoose, { type Connection, Schema } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runAsSystem, runInScope, runUnscoped } from '../../src/context/request-scope.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { insertLeanOne } from '../../src/data/lean-insert.ts'
import { tenantScopedPlugin } from '../../src/data/tenant-scoped-plugin.ts'
import { testDatabaseUri } from '../support/database.ts'

let connection: Connection
let Contact: mongoose.Model<any>
let Hooked: mongoose.Model<any>
const hookRuns = vi.fn()

const asA = <T>(fn: () => Promise<T>) => runAsSystem('test', 'tenant-a', fn) as Promise<T>
const unscoped = <T>(fn: () => Promise<T>) => runUnscoped('test inspection', fn) as Promise<T>

beforeAll(async () => {
  connection = await connectDatabase(testDatabaseUri('lean_insert'))
  const contactSchema = new Schema({ email: String, name: String, at: Date }, { timestamps: true })
  contactSchema.index({ tenantId: 1, email: 1 }, { unique: true })
  contactSchema.plugin(tenantScopedPlugin)
  Contact = connection.model('LeanContact', contactSchema)
  const hookedSchema = new Schema({ email: String })
  hookedSchema.index({ tenantId: 1, email: 1 })
  hookedSchema.plugin(tenantScopedPlugin)
  hookedSchema.pre('insertMany', () => {
    hookRuns()
  })
  Hooked = connection.model('LeanHooked', hookedSchema)
  await unscoped(() => Promise.all([Contact.init(), Hooked.init()]))
})

afterAll(async () => {
  await connection?.dropDatabase().catch(() => {})
  await connection?.close()
})

describe('insertLeanOne', () => {
  it('stores the document as given plus the scope tenant, like a lean insertMany', async () => {
    const at = new Date('2026-01-02T03:04:05Z')
    const viaHelper = { _id: new mongoose.Types.ObjectId(), email: 'one@x.test', name: 'One', at }
    const viaMongoose = { _id: new mongoose.Types.ObjectId(), email: 'two@x.test', name: 'One', at }
    const pipeline = vi.spyOn(Contact, 'insertMany')
    await asA(() => insertLeanOne(Contact, viaHelper))
    // The direct path: mongoose's insertMany is not involved.
    expect(pipeline).not.toHaveBeenCalled()
    pipeline.mockRestore()
    await asA(() => Contact.insertMany([viaMongoose], { lean: true }))
    const [a, b] = await unscoped(() =>
      Promise.all([
        Contact.collection.findOne({ _id: viaHelper._id }),
        Contact.collection.findOne({ _id: viaMongoose._id })
      ])
    )
    expect(a?.tenantId).toBe('tenant-a')
    const { _id: _a, email: _ea, ...restA } = a as any
    const { _id: _b, email: _eb, ...restB } = b as any
    expect(restA).toEqual(restB)
  })

  it('refuses without a scope and for another tenant’s document, storing nothing', async () => {
    const orphan = { _id: new mongoose.Types.ObjectId(), email: 'orphan@x.test' }
    await expect(insertLeanOne(Contact, orphan)).rejects.toMatchObject({
      data: { code: 'TENANT_SCOPE_VIOLATION' }
    })
    const anonymous = { requestId: 'r1', actor: { kind: 'anonymous' as const } }
    await expect(runInScope(anonymous, () => insertLeanOne(Contact, { ...orphan }))).rejects.toMatchObject({
      data: { code: 'TENANT_SCOPE_VIOLATION' }
    })
    const foreign = { _id: new mongoose.Types.ObjectId(), email: 'f@x.test', tenantId: 'tenant-b' }
    await expect(asA(() => insertLeanOne(Contact, foreign))).rejects.toMatchObject({
      data: { code: 'TENANT_SCOPE_VIOLATION' }
    })
    const stored = await unscoped(() =>
      Contact.collection.countDocuments({ _id: { $in: [orphan._id, foreign._id] } })
    )
    expect(stored).toBe(0)
  })

  it('a second insert of the same unique key fails with the duplicate key code', async () => {
    await asA(() => insertLeanOne(Contact, { _id: new mongoose.Types.ObjectId(), email: 'dup@x.test' }))
    await expect(
      asA(() => insertLeanOne(Contact, { _id: new mongoose.Types.ObjectId(), email: 'dup@x.test' }))
    ).rejects.toMatchObject({ code: 11000 })
  })

  it("is every model's static insertLeanOne", async () => {
    const doc = { _id: new mongoose.Types.ObjectId(), email: 'static@x.test' }
    await asA(() => (Contact as any).insertLeanOne(doc))
    const stored = await unscoped(() => Contact.collection.findOne({ _id: doc._id }))
    expect(stored?.tenantId).toBe('tenant-a')
  })

  it('models with their own insertMany middleware go through insertMany (the hook runs)', async () => {
    await asA(() => insertLeanOne(Hooked, { _id: new mongoose.Types.ObjectId(), email: 'h@x.test' }))
    expect(hookRuns).toHaveBeenCalledTimes(1)
    const stored = await unscoped(() => Hooked.collection.findOne({ email: 'h@x.test' }))
    expect(stored?.tenantId).toBe('tenant-a')
  })

  it('sends one turn’s inserts as one command, each caller with its own outcome', async () => {
    const asB = <T>(fn: () => Promise<T>) => runAsSystem('test', 'tenant-b', fn) as Promise<T>
    await asA(() => insertLeanOne(Contact, { _id: new mongoose.Types.ObjectId(), email: 'taken@x.test' }))
    const insertMany = vi.spyOn(Contact.collection, 'insertMany')
    const insertOne = vi.spyOn(Contact.collection, 'insertOne')
    const docs = [
      { _id: new mongoose.Types.ObjectId(), email: 'g1@x.test' },
      { _id: new mongoose.Types.ObjectId(), email: 'taken@x.test' }, // duplicate for tenant-a
      { _id: new mongoose.Types.ObjectId(), email: 'taken@x.test' }, // the same email, tenant-b: fine
      { _id: new mongoose.Types.ObjectId(), email: 'g2@x.test' }
    ]
    const outcomes = await Promise.allSettled([
      asA(() => insertLeanOne(Contact, docs[0])),
      asA(() => insertLeanOne(Contact, docs[1])),
      asB(() => insertLeanOne(Contact, docs[2])),
      asA(() => insertLeanOne(Contact, docs[3]))
    ])
    expect(insertMany).toHaveBeenCalledTimes(1)
    // Only the refused document is tried again alone, for insertOne's exact error.
    expect(insertOne).toHaveBeenCalledTimes(1)
    expect(insertOne.mock.calls[0][0]).toBe(docs[1])
    insertMany.mockRestore()
    insertOne.mockRestore()
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled'
    ])
    // The duplicate is insertOne's error for that document alone (what callers test for an upsert retry).
    const duplicate = (outcomes[1] as PromiseRejectedResult).reason
    expect(duplicate).toMatchObject({ name: 'MongoServerError', code: 11000 })
    expect(duplicate.keyValue).toMatchObject({ email: 'taken@x.test' })
    expect(JSON.stringify(duplicate)).not.toContain(String(docs[1]._id))
    const stored = await unscoped(() =>
      Contact.collection.find({ _id: { $in: docs.map((doc) => doc._id) } }).toArray()
    )
    expect(stored.map((doc) => [String(doc._id), doc.tenantId]).sort()).toEqual(
      [
        [String(docs[0]._id), 'tenant-a'],
        [String(docs[2]._id), 'tenant-b'],
        [String(docs[3]._id), 'tenant-a']
      ].sort()
    )
  })
})
