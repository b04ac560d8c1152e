// The adapter's fast get/create paths (adapter-fast-paths.ts) against the database harness: they store and
// answer exactly what mongoose's path does, keep the tenant scope, validation, secret stripping and error
// mapping, and are not taken for models whose middleware or options they do not reproduce.
import mongoose, { type Connection, Schema } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAsSystem, runUnscoped } from '../../src/context/request-scope.ts'
import { fastPathsOf } from '../../src/data/adapter-fast-paths.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { MongooseService } from '../../src/data/mongoose-service.ts'
import { tenantScopedPlugin } from '../../src/data/tenant-scoped-plugin.ts'
import { testDatabaseUri } from '../support/database.ts'

let connection: Connection
const asTenant = <T>(tenantId: string, fn: () => Promise<T>) => runAsSystem('test', tenantId, fn)
const external = { provider: 'rest' } as any

function noteSchema(): Schema {
  const schema = new Schema({
    title: { type: String, required: true, maxlength: 50, trim: true },
    slug: { type: String, required: true },
    count: { type: Number, default: 0 },
    due: Date,
    owner: Schema.Types.ObjectId,
    tags: [String],
    meta: { color: String },
    apiKey: { type: String, secret: true }
  })
  schema.plugin(tenantScopedPlugin)
  schema.index({ tenantId: 1, slug: 1 }, { unique: true })
  return schema
}

let Note: mongoose.Model<any>
let notes: MongooseService
const calls: string[] = []
let Hooked: mongoose.Model<any>
let hooked: MongooseService

beforeAll(async () => {
  connection = await connectDatabase(testDatabaseUri('adapter_fast_paths'))
  Note = connection.model('FastNote', noteSchema())
  // The same model shape with mongoose's path: compared field by field with the fast path's documents.
  connection.model('SlowNote', noteSchema().set('timestamps', false), 'fastnotes_reference')
  const hookedSchema = noteSchema()
  hookedSchema.pre('findOne', function () {
    calls.push('findOne')
    this.where({ count: mongoose.trusted({ $gte: 0 }) })
  })
  hookedSchema.pre('save', () => {
    calls.push('save')
  })
  Hooked = connection.model('HookedNote', hookedSchema)
  await runUnscoped('indexes', () => Promise.all([Note.init(), Hooked.init()]))
  notes = new MongooseService({ Model: Note, paginate: false })
  hooked = new MongooseService({ Model: Hooked, paginate: false })
})

afterAll(async () => {
  await connection?.dropDatabase().catch(() => {})
  await connection?.close()
})

describe('eligibility', () => {
  it('takes the fast paths only for models whose middleware they reproduce', () => {
    expect(fastPathsOf(Note)).toMatchObject({
      getById: true,
      find: true,
      insertOne: true,
      projection: { apiKey: 0 }
    })
    expect(fastPathsOf(Hooked)).toMatchObject({ getById: false, insertOne: false })
    const stamped = connection.model('StampedNote', noteSchema().set('timestamps', true))
    expect(fastPathsOf(stamped).insertOne).toBe(false)
    const nested = new Schema({ title: String, items: [new Schema({ n: Number })] })
    nested.plugin(tenantScopedPlugin)
    expect(fastPathsOf(connection.model('NestedNote', nested)).insertOne).toBe(false)
  })

  it('runs user hooks of ineligible models on get and create', async () => {
    calls.length = 0
    const created: any = await asTenant('t1', () => hooked.create({ title: 'Hooked', slug: 'h1' }, external))
    await asTenant('t1', () => hooked.get(String(created._id), external))
    expect(calls).toEqual(['save', 'findOne'])
  })
})

describe('create', () => {
  it('stores the same document as mongoose save and answers it without secret fields', async () => {
    const data = {
      title: '  Trimmed  ',
      slug: 's1',
      due: '2026-01-02T03:04:05.000Z',
      owner: '64b7f0c2a1b2c3d4e5f60718',
      tags: ['a', 'b'],
      meta: { color: 'red' },
      apiKey: 'k-secret'
    }
    const result: any = await asTenant('t1', () => notes.create({ ...data }))
    expect(result).toMatchObject({ title: 'Trimmed', slug: 's1', count: 0, tenantId: 't1', __v: 0 })
    expect(result).not.toHaveProperty('apiKey')
    expect(result._id).toBeInstanceOf(mongoose.Types.ObjectId)

    const reference: any = await asTenant('t1', () => connection.model('SlowNote').create({ ...data }))
    const [fast, slow] = await Promise.all([
      connection.db!.collection('fastnotes').findOne({ _id: result._id }),
      connection.db!.collection('fastnotes_reference').findOne({ _id: reference._id })
    ])
    const { _id: _a, ...fastRest } = fast as any
    const { _id: _b, ...slowRest } = slow as any
    expect(fastRest).toEqual(slowRest)
    expect(Object.keys(fastRest)).toEqual(Object.keys(slowRest))
    expect(fastRest.owner).toBeInstanceOf(mongoose.Types.ObjectId)
    expect(fastRest.due).toBeInstanceOf(Date)
    expect(fastRest.apiKey).toBe('k-secret')
  })

  it('validates (400 with field errors) and stores nothing', async () => {
    await expect(
      asTenant('t1', () => notes.create({ title: 'x'.repeat(60), slug: 'bad', count: 'many' } as any))
    ).rejects.toMatchObject({ code: 400 })
    expect(await connection.db!.collection('fastnotes').countDocuments({ slug: 'bad' })).toBe(0)
  })

  it('maps a duplicate to 409 and keeps tenants apart', async () => {
    await asTenant('t1', () => notes.create({ title: 'One', slug: 'dup' }))
    await expect(asTenant('t1', () => notes.create({ title: 'Two', slug: 'dup' }))).rejects.toMatchObject({
      code: 409
    })
    const other: any = await asTenant('t2', () => notes.create({ title: 'Three', slug: 'dup' }))
    expect(other.tenantId).toBe('t2')
  })

  it('refuses a create without a tenant scope or with another tenant in the data', async () => {
    await expect(notes.create({ title: 'No scope', slug: 'ns' })).rejects.toMatchObject({
      data: { code: 'TENANT_SCOPE_VIOLATION' }
    })
    await expect(
      asTenant('t1', () => notes.create({ title: 'Foreign', slug: 'fr', tenantId: 't2' } as any))
    ).rejects.toMatchObject({ data: { code: 'TENANT_SCOPE_VIOLATION' } })
    expect(await connection.db!.collection('fastnotes').countDocuments({ slug: { $in: ['ns', 'fr'] } })).toBe(
      0
    )
  })
})

describe('get', () => {
  it('answers the tenant its own document without secrets, 404 to another tenant and for bad ids', async () => {
    const created: any = await asTenant('t1', () => notes.create({ title: 'Mine', slug: 'g1', apiKey: 'k' }))
    const id = String(created._id)
    const got: any = await asTenant('t1', () => notes.get(id, external))
    expect(got).toMatchObject({ title: 'Mine', slug: 'g1', tenantId: 't1' })
    expect(got).not.toHaveProperty('apiKey')
    await expect(asTenant('t2', () => notes.get(id, external))).rejects.toMatchObject({ code: 404 })
    await expect(asTenant('t1', () => notes.get('not-an-id', external))).rejects.toMatchObject({ code: 404 })
    await expect(asTenant('t1', () => notes.get('64b7f0c2a1b2c3d4e5f60718', external))).rejects.toMatchObject(
      { code: 404 }
    )
    await expect(notes.get(id)).rejects.toMatchObject({ data: { code: 'TENANT_SCOPE_VIOLATION' } })
  })

  it('reads across an agency view and selects secrets for internal calls that ask', async () => {
    const created: any = await asTenant('t3', () =>
      notes.create({ title: 'Agency', slug: 'g2', apiKey: 'k3' })
    )
    const id = String(created._id)
    const view = { requestId: 'r', readTenantIds: ['t1', 't3'], actor: { kind: 'anonymous' as const } }
    const { runInScope } = await import('../../src/context/request-scope.ts')
    expect(await runInScope(view, () => notes.get(id, external))).toMatchObject({ slug: 'g2' })
    const outside = { ...view, readTenantIds: ['t1'] }
    await expect(runInScope(outside, () => notes.get(id, external))).rejects.toMatchObject({ code: 404 })
    const internal: any = await asTenant('t3', () => notes.get(id, { selectSecrets: true } as any))
    expect(internal.apiKey).toBe('k3')
    // A create never hands secrets back (its result is also the realtime event), even when asked.
    const createdAsking: any = await asTenant('t3', () =>
      notes.create({ title: 'Ask', slug: 'g3', apiKey: 'k4' }, { selectSecrets: true } as any)
    )
    expect(createdAsking.apiKey).toBeUndefined()
  })
})

describe('find', () => {
  it('answers equality finds like mongoose lean, within the tenant, without secrets', async () => {
    for (let i = 0; i < 6; i++) {
      await asTenant('f1', () => notes.create({ title: `F${i}`, slug: `f${i}`, count: i % 2, apiKey: 'k' }))
      await asTenant('f2', () => notes.create({ title: `F${i}`, slug: `f${i}`, count: i % 2 }))
    }
    const query = { count: '1', $sort: { slug: -1 }, $skip: 1, $limit: 2 }
    const rows: any = await asTenant('f1', () => notes.find({ query } as any))
    const expected = await asTenant('f1', () =>
      Note.find({ count: 1 }).sort({ slug: -1 }).skip(1).limit(2).lean().exec()
    )
    expect(rows).toEqual(expected.map(({ apiKey: _secret, ...rest }: any) => rest))
    expect(rows.map((row: any) => row.slug)).toEqual(['f3', 'f1'])
    expect(rows.every((row: any) => row.tenantId === 'f1' && !('apiKey' in row))).toBe(true)
  })

  it('keeps mongoose semantics for operators, unknown fields, bad values and a tenantId condition', async () => {
    const inList: any = await asTenant('f1', () =>
      notes.find({ query: { slug: { $in: ['f0', 'f5'] }, $sort: { slug: 1 } } } as any)
    )
    expect(inList.map((row: any) => row.slug)).toEqual(['f0', 'f5'])
    await expect(asTenant('f1', () => notes.find({ query: { nope: 1 } } as any))).rejects.toMatchObject({
      code: 400
    })
    await expect(asTenant('f1', () => notes.find({ query: { count: 'many' } } as any))).rejects.toMatchObject(
      {
        code: 400
      }
    )
    const foreign: any = await asTenant('f1', () => notes.find({ query: { tenantId: 'f2' } } as any))
    expect(foreign).toEqual([])
    await expect(notes.find({ query: { count: 1 } } as any)).rejects.toMatchObject({
      data: { code: 'TENANT_SCOPE_VIOLATION' }
    })
  })
})
