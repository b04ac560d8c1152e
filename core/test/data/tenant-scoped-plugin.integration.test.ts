// Tenant isolation at the data layer: every mongoose operation type, against the real database harness.
import mongoose, { type Connection, Schema } from 'mongoose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runAsSystem, runInScope, runUnscoped } from '../../src/context/request-scope.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { tenantScopedPlugin } from '../../src/data/tenant-scoped-plugin.ts'
import { testDatabaseUri } from '../support/database.ts'
import { defineTenantModels } from './tenant-models.ts'

let connection: Connection
let models: ReturnType<typeof defineTenantModels>

// Mongoose queries are lazy thenables: they must be awaited INSIDE the scope, hence `async () => await`.
type Scoped = <T>(fn: () => T) => Promise<Awaited<T>>
const asA: Scoped = (fn) => runAsSystem('test', 'tenant-a', async () => await fn()) as any
const asB: Scoped = (fn) => runAsSystem('test', 'tenant-b', async () => await fn()) as any
const unscoped: Scoped = (fn) => runUnscoped('test inspection', async () => await fn()) as any
const inScope = <T>(scope: Parameters<typeof runInScope>[0], fn: () => T): Promise<Awaited<T>> =>
  runInScope(scope, async () => await fn()) as any

async function expectViolation(promise: Promise<unknown> | (() => unknown)) {
  const run = typeof promise === 'function' ? async () => promise() : () => promise
  await expect(run()).rejects.toMatchObject({ data: { code: 'TENANT_SCOPE_VIOLATION' } })
}

beforeAll(async () => {
  connection = await connectDatabase(testDatabaseUri('tenant_scope'))
  models = defineTenantModels(connection)
  await unscoped(() => Promise.all([models.Lesson.init(), models.Enrollment.init()]))
})

afterAll(async () => {
  await connection?.dropDatabase().catch(() => {})
  await connection?.close()
})

let lessonA: any

beforeEach(async () => {
  await unscoped(() => Promise.all([models.Lesson.deleteMany({}), models.Enrollment.deleteMany({})]))
  lessonA = await asA(() => models.Lesson.create({ title: 'A intro', order: 1, hostNotes: 'a-secret' }))
  await asA(() => models.Lesson.create({ title: 'A second', order: 2 }))
  await asB(() => models.Lesson.create({ title: 'B intro', order: 1 }))
})

describe('creates', () => {
  it('stamps the scope tenant on create, save and insertOne', async () => {
    expect(lessonA.tenantId).toBe('tenant-a')
    const inserted = await asB(() => models.Lesson.insertOne({ title: 'B inserted' }))
    expect(inserted.tenantId).toBe('tenant-b')
    const doc = await asB(async () => {
      const lesson = new models.Lesson({ title: 'B saved' })
      await lesson.save({ validateBeforeSave: false })
      return lesson
    })
    const stored = await unscoped(() => models.Lesson.findById(doc._id).lean())
    expect(stored?.tenantId).toBe('tenant-b')
  })

  it('refuses work without a scope, and a document of another tenant', async () => {
    await expectViolation(() => models.Lesson.create({ title: 'nobody' }))
    await expectViolation(asB(() => models.Lesson.create({ title: 'smuggled', tenantId: 'tenant-a' })))
    await expectViolation(() => models.Lesson.find({}))
    const platformScope = { requestId: 'r1', actor: { kind: 'anonymous' as const } }
    await expectViolation(inScope(platformScope, () => models.Lesson.find({})))
    expect(
      await unscoped(() =>
        models.Lesson.countDocuments({ title: mongoose.trusted({ $in: ['nobody', 'smuggled'] }) })
      )
    ).toBe(0)
  })

  it('stamps insertMany and refuses a foreign document in the batch without inserting any', async () => {
    const docs = await asB(() => models.Lesson.insertMany([{ title: 'm1' }, { title: 'm2' }]))
    expect(docs.map((d) => d.tenantId)).toEqual(['tenant-b', 'tenant-b'])
    await expectViolation(
      asB(() => models.Lesson.insertMany([{ title: 'm3' }, { title: 'm4', tenantId: 'tenant-a' }]))
    )
    expect(
      await unscoped(() => models.Lesson.countDocuments({ title: mongoose.trusted({ $in: ['m3', 'm4'] }) }))
    ).toBe(0)
  })
})

describe('reads', () => {
  it('filters find, findOne, findById, exists, countDocuments, distinct and cursors', async () => {
    expect((await asB(() => models.Lesson.find({}).lean())).map((l: any) => l.title)).toEqual(['B intro'])
    expect(await asB(() => models.Lesson.findById(lessonA._id))).toBeNull()
    expect(await asB(() => models.Lesson.findOne({ title: 'A intro' }))).toBeNull()
    expect(await asB(() => models.Lesson.exists({ _id: lessonA._id }))).toBeNull()
    expect(await asA(() => models.Lesson.countDocuments({}))).toBe(2)
    expect(await asB(() => models.Lesson.distinct('title'))).toEqual(['B intro'])
    const seen: string[] = []
    await asB(async () => {
      for await (const lesson of models.Lesson.find({}).cursor()) seen.push(lesson.title)
    })
    expect(seen).toEqual(['B intro'])
  })

  it('keeps a client-supplied tenantId condition AND the scope (never replaces the scope)', async () => {
    expect(await asB(() => models.Lesson.find({ tenantId: 'tenant-a' }).lean())).toEqual([])
  })

  it('reads across the agency view with readTenantIds but refuses writes there', async () => {
    const view = {
      requestId: 'r2',
      readTenantIds: ['tenant-a', 'tenant-b'],
      actor: { kind: 'anonymous' as const }
    }
    expect(await inScope(view, () => models.Lesson.countDocuments({}))).toBe(3)
    const onlyA = { ...view, readTenantIds: ['tenant-a'] }
    expect(await inScope(onlyA, () => models.Lesson.countDocuments({}))).toBe(2)
    await expectViolation(inScope(view, () => models.Lesson.updateMany({}, { $set: { order: 9 } })))
    await expectViolation(inScope(view, () => models.Lesson.create({ title: 'x' })))
  })

  it('refuses estimatedDocumentCount under a tenant scope', async () => {
    await expectViolation(asA(() => models.Lesson.estimatedDocumentCount()))
    expect(await unscoped(() => models.Lesson.estimatedDocumentCount())).toBe(3)
  })

  it('scopes populate to the tenant of the request', async () => {
    await asB(() => models.Enrollment.create({ email: 'x@b.test', lesson: lessonA._id }))
    const enrollment = await asB(() =>
      models.Enrollment.findOne({ email: 'x@b.test' }).populate('lesson').lean()
    )
    expect(enrollment?.lesson).toBeNull()
  })
})

describe('updates and deletes', () => {
  it('never touches another tenant through any update/delete query', async () => {
    const id = lessonA._id
    await asB(async () => {
      await models.Lesson.updateOne({ _id: id }, { $set: { title: 'hacked' } })
      await models.Lesson.updateMany({}, { $set: { title: 'hacked' } })
      await models.Lesson.findOneAndUpdate({ _id: id }, { $set: { title: 'hacked' } })
      await models.Lesson.findByIdAndUpdate(id, { title: 'hacked' })
      await models.Lesson.replaceOne({ _id: id }, { title: 'hacked' })
      await models.Lesson.findOneAndReplace({ _id: id }, { title: 'hacked' })
      await models.Lesson.deleteOne({ _id: id })
      await models.Lesson.findOneAndDelete({ _id: id })
      await models.Lesson.findByIdAndDelete(id)
    })
    const stored = await unscoped(() => models.Lesson.findById(id).lean())
    expect(stored?.title).toBe('A intro')
    await asB(() => models.Lesson.deleteMany({}))
    expect(await unscoped(() => models.Lesson.countDocuments({ tenantId: 'tenant-a' }))).toBe(2)
    expect(await unscoped(() => models.Lesson.countDocuments({ tenantId: 'tenant-b' }))).toBe(0)
  })

  it('stamps upserts and replacements with the scope tenant', async () => {
    await asB(() => models.Lesson.updateOne({ title: 'upserted' }, { $set: { order: 5 } }, { upsert: true }))
    await asB(() => models.Lesson.replaceOne({ title: 'B intro' }, { title: 'B replaced' }))
    const upserted = await unscoped(() => models.Lesson.findOne({ title: 'upserted' }).lean())
    const replaced = await unscoped(() => models.Lesson.findOne({ title: 'B replaced' }).lean())
    expect(upserted?.tenantId).toBe('tenant-b')
    expect(replaced?.tenantId).toBe('tenant-b')
  })

  it('refuses changing tenantId through updates, replacements and pipelines', async () => {
    await asA(async () => {
      // Inside one scope: each query is awaited here, so it runs in tenant-a's scope.
      await expectViolation(models.Lesson.updateOne({}, { $set: { tenantId: 'tenant-b' } }))
      await expectViolation(models.Lesson.updateMany({}, { $unset: { tenantId: 1 } }))
      await expectViolation(models.Lesson.updateMany({}, { $rename: { title: 'tenantId' } }))
      await expectViolation(models.Lesson.replaceOne({}, { title: 'r', tenantId: 'tenant-b' }))
      await expectViolation(
        models.Lesson.updateMany({}, [{ $set: { tenantId: 'tenant-b' } }], { updatePipeline: true } as any)
      )
    })
    expect(await unscoped(() => models.Lesson.countDocuments({ tenantId: 'tenant-a' }))).toBe(2)
  })

  it('refuses saving or deleting a document of another tenant', async () => {
    const doc = await asA(() => models.Lesson.findById(lessonA._id))
    doc!.title = 'changed in B'
    await expectViolation(asB(() => doc!.save()))
    await asB(() => doc!.deleteOne())
    // A hydrated document claiming B's tenant but A's _id matches nothing.
    const forged = models.Lesson.hydrate({ _id: lessonA._id, tenantId: 'tenant-b', title: 'forged' })
    forged.title = 'forged again'
    await asB(() => forged.save()).catch(() => {})
    const stored = await unscoped(() => models.Lesson.findById(lessonA._id).lean())
    expect(stored?.title).toBe('A intro')
  })

  it('scopes bulkWrite and bulkSave', async () => {
    const id = lessonA._id
    await asB(() =>
      models.Lesson.bulkWrite([
        { insertOne: { document: { title: 'bulk' } as any } },
        { updateOne: { filter: { _id: id }, update: { $set: { title: 'hacked' } } } },
        { updateMany: { filter: {}, update: { $set: { order: 7 } } } },
        { replaceOne: { filter: { _id: id }, replacement: { title: 'hacked' } as any } },
        { deleteOne: { filter: { _id: id } } }
      ])
    )
    const stored = await unscoped(() => models.Lesson.findById(id).lean())
    expect(stored).toMatchObject({ title: 'A intro', order: 1 })
    const bulk = await unscoped(() => models.Lesson.findOne({ title: 'bulk' }).lean())
    expect(bulk?.tenantId).toBe('tenant-b')
    await expectViolation(
      asB(() =>
        models.Lesson.bulkWrite([{ insertOne: { document: { title: 'x', tenantId: 'tenant-a' } as any } }])
      )
    )
    const docs = await asA(() => models.Lesson.find({}))
    for (const doc of docs) doc.order = 40
    await expectViolation(asB(() => models.Lesson.bulkSave(docs)))
    expect(await unscoped(() => models.Lesson.countDocuments({ order: 40 }))).toBe(0)
  })
})

describe('aggregate', () => {
  it('prepends the tenant match and scopes $lookup into tenant-scoped collections', async () => {
    const totals = await asA(() => models.Lesson.aggregate([{ $group: { _id: null, n: { $sum: 1 } } }]))
    expect(totals[0].n).toBe(2)
    await asB(() => models.Enrollment.create({ email: 'e@b.test', lesson: lessonA._id }))
    const aggregate = asB(() =>
      models.Enrollment.aggregate([
        {
          $lookup: {
            from: models.Lesson.collection.collectionName,
            localField: 'lesson',
            foreignField: '_id',
            as: 'l'
          }
        }
      ])
    )
    const joined = await aggregate
    expect(joined).toHaveLength(1)
    // The enrollment points at tenant A's lesson: the join must not reveal it.
    expect(joined[0].l.map((l: any) => String(l._id))).not.toContain(String(lessonA._id))
    expect(joined[0].l.every((l: any) => l.tenantId === 'tenant-b')).toBe(true)
  })

  it('refuses $out/$merge and lookups into unknown collections', async () => {
    await expectViolation(asA(() => models.Lesson.aggregate([{ $out: 'copy' }])))
    await expectViolation(
      asA(() =>
        models.Lesson.aggregate([
          { $lookup: { from: 'unknown', localField: 'a', foreignField: 'b', as: 'c' } }
        ])
      )
    )
  })
})

describe('model compile checks', () => {
  it('throws at model compile time when an index does not lead with tenantId', () => {
    const schema = new Schema({ email: { type: String, unique: true } })
    schema.plugin(tenantScopedPlugin)
    expect(() => connection.model('BadIndex', schema)).toThrow(/must start with tenantId/)
  })

  it("drops the plugin's {tenantId: 1} index when a plain compound index leads with tenantId", async () => {
    const schema = new Schema({ email: String, name: String })
    schema.index({ tenantId: 1, email: 1 }, { unique: true })
    schema.plugin(tenantScopedPlugin)
    const Model = connection.model('RedundantTenantIndex', schema)
    expect(schema.indexes().map(([fields]) => fields)).toEqual([{ tenantId: 1, email: 1 }])
    await unscoped(() => Model.init())
    const names = (await unscoped(() => Model.listIndexes())).map((index: any) => index.name).sort()
    expect(names).toEqual(['_id_', 'tenantId_1_email_1'])
    // A query by tenant alone is still scoped and served by the compound index's prefix.
    await asA(() => Model.create({ email: 'a@x.test' }))
    await asB(() => Model.create({ email: 'b@x.test' }))
    const rows = await asA(() => Model.find({}).lean())
    expect(rows.map((row: any) => row.email)).toEqual(['a@x.test'])
  })

  it('keeps {tenantId: 1} when no plain compound index leads with tenantId', () => {
    const alone = new Schema({ email: String })
    alone.plugin(tenantScopedPlugin)
    connection.model('TenantIndexAlone', alone)
    expect(alone.indexes().map(([fields]) => fields)).toEqual([{ tenantId: 1 }])
    const partial = new Schema({ email: String })
    partial.index({ tenantId: 1, email: 1 }, { partialFilterExpression: { email: { $exists: true } } })
    partial.plugin(tenantScopedPlugin)
    connection.model('TenantIndexPartial', partial)
    expect(partial.indexes().map(([fields]) => fields)).toEqual([{ tenantId: 1, email: 1 }, { tenantId: 1 }])
  })

  it('throws on unknown filter fields (strictQuery) instead of matching everything', async () => {
    await expect(asA(() => models.Lesson.find({ nope: 1 }))).rejects.toThrow(/strictQuery|not in schema/)
  })

  it('neutralises operator objects from untrusted filters (sanitizeFilter)', async () => {
    // Wrapped in $eq, the operator object becomes a literal value that cannot even cast to a title.
    await expect(asA(() => models.Lesson.find({ title: { $ne: null } } as any).lean())).rejects.toThrow(
      /Cast/
    )
    const trusted = await asA(() =>
      models.Lesson.find({ title: mongoose.trusted({ $ne: null }) } as any).lean()
    )
    expect(trusted).toHaveLength(2)
  })
})

describe('secret fields', () => {
  it('are not selected by default and stripped from toJSON/toObject', async () => {
    const lean = await asA(() => models.Lesson.findById(lessonA._id).lean())
    expect(lean).not.toHaveProperty('hostNotes')
    const withSecret = await asA(() => models.Lesson.findById(lessonA._id).select('+hostNotes'))
    expect(withSecret?.hostNotes).toBe('a-secret')
    expect(withSecret?.toJSON()).not.toHaveProperty('hostNotes')
    expect(JSON.stringify(withSecret)).not.toContain('a-secret')
  })
})
