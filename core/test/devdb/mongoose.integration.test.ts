// Conformance: mongoose models (autoIndex/autoCreate, syncIndexes, E11000 errors, population, lean queries).
import mongoose, { Schema } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

const conn = mongoose.createConnection()

const userSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    email: { type: String, required: true },
    name: String,
    tags: [String]
  },
  { timestamps: true }
)
userSchema.index({ tenantId: 1, email: 1 }, { unique: true })
userSchema.index({ tenantId: 1, createdAt: -1 })

const postSchema = new Schema({ title: String, author: { type: Schema.Types.ObjectId, ref: 'User' } })

beforeAll(async () => {
  await conn.openUri(testDatabaseUri('devdb_mongoose'))
})

afterAll(async () => {
  await conn.dropDatabase()
  await conn.close()
})

describe('mongoose', () => {
  const User = conn.model('User', userSchema)
  const Post = conn.model('Post', postSchema)

  it('builds schema indexes and reports E11000 like MongoDB', async () => {
    await User.init()
    const indexes = await User.listIndexes()
    expect(indexes.map((i) => i.name).sort()).toEqual([
      '_id_',
      'tenantId_1_createdAt_-1',
      'tenantId_1_email_1'
    ])
    await User.create({ tenantId: 't1', email: 'a@x', name: 'A' })
    const err = await User.create({ tenantId: 't1', email: 'a@x' }).catch((e) => e)
    expect(err.code).toBe(11000)
    expect(err.message).toContain('E11000 duplicate key error collection:')
    expect(err.message).toContain('index: tenantId_1_email_1 dup key: { tenantId: "t1", email: "a@x" }')
    expect(err.keyValue).toEqual({ tenantId: 't1', email: 'a@x' })
  })

  it('runs queries, updates, counts and deletes through models', async () => {
    await User.insertMany([
      { tenantId: 't2', email: 'b@x', tags: ['x'] },
      { tenantId: 't2', email: 'c@x', tags: ['x', 'y'] }
    ])
    const found = await User.find({ tenantId: 't2' }).sort({ email: -1 }).lean()
    expect(found.map((u) => u.email)).toEqual(['c@x', 'b@x'])
    expect(found[0].createdAt).toBeInstanceOf(Date)
    const updated = await User.findOneAndUpdate(
      { tenantId: 't2', email: 'b@x' },
      { $push: { tags: 'z' } },
      { returnDocument: 'after' }
    ).lean()
    expect(updated?.tags).toEqual(['x', 'z'])
    expect(await User.countDocuments({ tenantId: 't2', tags: 'x' })).toBe(2)
    expect(await User.estimatedDocumentCount()).toBe(3)
    const upserted = await User.findOneAndUpdate(
      { tenantId: 't3', email: 'd@x' },
      { name: 'D' },
      { upsert: true, returnDocument: 'after' }
    ).lean()
    expect(upserted?.createdAt).toBeInstanceOf(Date)
    expect((await User.updateMany({ tenantId: 't2' }, { name: 'same' })).modifiedCount).toBe(2)
    expect((await User.deleteMany({ tenantId: 't2' })).deletedCount).toBe(2)
  })

  it('populates references and syncs indexes', async () => {
    const author = await User.create({ tenantId: 't9', email: 'p@x', name: 'Poster' })
    await Post.create({ title: 'hello', author: author._id })
    const post = await Post.findOne({ title: 'hello' })
      .populate<{ author: { name: string } }>('author')
      .lean()
    expect(post?.author.name).toBe('Poster')
    const dropped = await Post.syncIndexes()
    expect(dropped).toEqual([])
  })

  it('runs aggregate through a model', async () => {
    const perTenant = await User.aggregate([
      { $group: { _id: '$tenantId', n: { $sum: 1 } } },
      { $sort: { _id: 1 } }
    ])
    expect(perTenant.length).toBeGreaterThan(0)
  })
})
