// Conformance: CRUD, update operators, cursors and unique indexes through the official driver.
import { type Db, MongoClient, MongoServerError, ObjectId } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

let client: MongoClient
let db: Db

beforeAll(async () => {
  client = await MongoClient.connect(testDatabaseUri('devdb_crud'))
  db = client.db()
})

afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

describe('insert and find', () => {
  it('round-trips BSON types and generates _id', async () => {
    const c = db.collection('types')
    const when = new Date('2024-01-02T03:04:05.678Z')
    const res = await c.insertOne({
      s: 'x',
      n: 1.5,
      i: 3,
      b: true,
      d: when,
      nested: { a: [1, 2, { z: null }] }
    })
    expect(res.insertedId).toBeInstanceOf(ObjectId)
    const doc = await c.findOne({ _id: res.insertedId })
    expect(doc).toEqual({
      _id: res.insertedId,
      s: 'x',
      n: 1.5,
      i: 3,
      b: true,
      d: when,
      nested: { a: [1, 2, { z: null }] }
    })
  })

  it('supports filter, sort, projection, skip and limit', async () => {
    const c = db.collection('people')
    await c.insertMany([
      { name: 'ann', age: 31, tags: ['a', 'b'] },
      { name: 'bob', age: 25, tags: ['b'] },
      { name: 'cid', age: 40, tags: [] },
      { name: 'dee', age: 25, tags: ['c'] }
    ])
    const names = await c
      .find({ age: { $gte: 25 } }, { projection: { _id: 0, name: 1 } })
      .sort({ age: -1, name: 1 })
      .skip(1)
      .limit(2)
      .toArray()
    expect(names).toEqual([{ name: 'ann' }, { name: 'bob' }])
    expect(await c.countDocuments({ tags: 'b' })).toBe(2)
    expect(await c.countDocuments({ $or: [{ name: /^a/ }, { age: { $in: [40] } }] })).toBe(2)
    expect((await c.distinct('age')).sort()).toEqual([25, 31, 40])
    expect(await c.estimatedDocumentCount()).toBe(4)
  })

  it('iterates cursors over many batches with getMore and killCursors', async () => {
    const c = db.collection('many')
    await c.insertMany(Array.from({ length: 1050 }, (_, i) => ({ i })))
    const all = await c.find({}, { batchSize: 100 }).sort({ i: 1 }).toArray()
    expect(all).toHaveLength(1050)
    expect(all[1049].i).toBe(1049)
    const cursor = c.find({}).batchSize(10)
    expect((await cursor.next())?.i).toBe(0)
    await cursor.close()
    const agg = await c.aggregate([{ $match: { i: { $lt: 500 } } }], { batchSize: 7 }).toArray()
    expect(agg).toHaveLength(500)
    const empty = await db.command({ find: 'many', filter: {}, batchSize: 0 })
    expect(empty.cursor.firstBatch).toEqual([])
    expect(empty.cursor.id.toString()).not.toBe('0')
    await db.command({ killCursors: 'many', cursors: [empty.cursor.id] })
  })
})

describe('update operators', () => {
  it('applies $set $unset $inc $mul $min $max $rename $currentDate $push $addToSet $pull $pop', async () => {
    const c = db.collection('ops')
    const { insertedId } = await c.insertOne({
      a: 1,
      b: 2,
      m: 3,
      lo: 5,
      hi: 5,
      old: 'x',
      arr: [1, 2, 3],
      set: ['a']
    })
    const r = await c.updateOne({ _id: insertedId }, {
      $set: { 'sub.field': 'v' },
      $unset: { b: '' },
      $inc: { a: 2 },
      $mul: { m: 2 },
      $min: { lo: 1 },
      $max: { hi: 9 },
      $rename: { old: 'renamed' },
      $currentDate: { touched: true },
      $push: { arr: { $each: [4, 5], $slice: -4 } },
      $addToSet: { set: { $each: ['a', 'b'] } }
    } as never)
    expect(r.matchedCount).toBe(1)
    expect(r.modifiedCount).toBe(1)
    const doc = await c.findOne({ _id: insertedId })
    expect(doc).toMatchObject({
      a: 3,
      m: 6,
      lo: 1,
      hi: 9,
      renamed: 'x',
      sub: { field: 'v' },
      arr: [2, 3, 4, 5],
      set: ['a', 'b']
    })
    expect(doc?.b).toBeUndefined()
    expect(doc?.touched).toBeInstanceOf(Date)
    await c.updateOne({ _id: insertedId }, { $pull: { arr: { $gte: 4 } }, $pop: { set: -1 } } as never)
    expect(await c.findOne({ _id: insertedId }, { projection: { arr: 1, set: 1, _id: 0 } })).toEqual({
      arr: [2, 3],
      set: ['b']
    })
  })

  it('applies $addToSet alone (its fast path) with MongoDB semantics', async () => {
    const c = db.collection('add_to_set')
    const day = new Date('2026-01-01T00:00:00Z')
    const { insertedId } = await c.insertOne({ tags: ['a', 1], days: [day], note: 'x' })
    const id = { _id: insertedId }
    // Duplicates within $each and against the array are skipped; numbers compare by value.
    expect(
      (await c.updateOne(id, { $addToSet: { tags: { $each: ['b', 'a', 'b', 1.0, 2] } } })).modifiedCount
    ).toBe(1)
    expect((await c.findOne(id))?.tags).toEqual(['a', 1, 'b', 2])
    // Nothing new: matched, not modified.
    const same = await c.updateOne(id, { $addToSet: { tags: 'a', days: new Date(day) } })
    expect([same.matchedCount, same.modifiedCount]).toEqual([1, 0])
    // A missing field becomes an array, even from an empty $each.
    await c.updateOne(id, {
      $addToSet: { fresh: { $each: [] }, more: new ObjectId('000000000000000000000001') }
    })
    const doc = await c.findOne(id)
    expect(doc?.fresh).toEqual([])
    expect(doc?.more).toEqual([new ObjectId('000000000000000000000001')])
    // Documents and arrays as values (left to the general path) still compare whole.
    await c.updateOne(id, { $addToSet: { tags: { $each: [{ k: 1 }, { k: 1 }, ['a', 'b']] } } })
    expect((await c.findOne(id))?.tags).toEqual(['a', 1, 'b', 2, { k: 1 }, ['a', 'b']])
    // A non-array target is refused, as MongoDB does.
    await expect(c.updateOne(id, { $addToSet: { note: 'y' } })).rejects.toBeInstanceOf(MongoServerError)
    expect((await c.findOne(id))?.note).toBe('x')
  })

  it('reports unchanged documents as matched but not modified', async () => {
    const c = db.collection('noop')
    await c.insertOne({ k: 1, v: 'same' })
    const r = await c.updateOne({ k: 1 }, { $set: { v: 'same' } })
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 0])
  })

  it('updates many, upserts with $setOnInsert, uses arrayFilters and the positional operator', async () => {
    const c = db.collection('multi')
    await c.insertMany([
      { g: 1, items: [{ q: 1 }, { q: 5 }] },
      { g: 1, items: [{ q: 7 }] },
      { g: 2, items: [] }
    ])
    const many = await c.updateMany(
      { g: 1 },
      { $set: { 'items.$[big].big': true } },
      { arrayFilters: [{ 'big.q': { $gt: 4 } }] }
    )
    expect(many.modifiedCount).toBe(2)
    const first = await c.findOne({ g: 1, 'items.q': 1 })
    expect(first?.items).toEqual([{ q: 1 }, { q: 5, big: true }])
    await c.updateOne({ g: 1, 'items.q': 1 }, { $inc: { 'items.$.q': 10 } })
    expect((await c.findOne({ 'items.q': 11 }))?.g).toBe(1)
    const up = await c.updateOne(
      { g: 9, name: 'new' },
      { $set: { x: 1 }, $setOnInsert: { created: true } },
      { upsert: true }
    )
    expect(up.upsertedCount).toBe(1)
    expect(await c.findOne({ _id: up.upsertedId! })).toMatchObject({ g: 9, name: 'new', x: 1, created: true })
    await c.updateOne({ g: 9 }, { $set: { x: 2 }, $setOnInsert: { created: false } }, { upsert: true })
    expect(await c.findOne({ g: 9 })).toMatchObject({ x: 2, created: true })
  })

  it('supports replacement, pipeline-style updates and findOneAndUpdate/Replace/Delete', async () => {
    const c = db.collection('fam')
    await c.insertMany([
      { k: 'a', n: 1 },
      { k: 'b', n: 2 }
    ])
    await c.replaceOne({ k: 'a' }, { k: 'a', replaced: true })
    expect(await c.findOne({ k: 'a' }, { projection: { _id: 0 } })).toEqual({ k: 'a', replaced: true })
    await c.updateOne({ k: 'b' }, [{ $set: { doubled: { $multiply: ['$n', 2] } } }])
    expect((await c.findOne({ k: 'b' }))?.doubled).toBe(4)
    const before = await c.findOneAndUpdate({ k: 'b' }, { $inc: { n: 1 } }, { returnDocument: 'before' })
    expect(before?.n).toBe(2)
    const after = await c.findOneAndUpdate(
      { k: 'b' },
      { $inc: { n: 1 } },
      { returnDocument: 'after', projection: { n: 1, _id: 0 } }
    )
    expect(after).toEqual({ n: 4 })
    const upserted = await c.findOneAndUpdate(
      { k: 'c' },
      { $set: { n: 0 } },
      { upsert: true, returnDocument: 'after' }
    )
    expect(upserted?.k).toBe('c')
    const replaced = await c.findOneAndReplace({ k: 'c' }, { k: 'c', n: 10 }, { returnDocument: 'after' })
    expect(replaced?.n).toBe(10)
    const removed = await c.findOneAndDelete({ k: 'c' })
    expect(removed?.n).toBe(10)
    const sorted = await c.findOneAndUpdate(
      {},
      { $set: { top: true } },
      { sort: { n: -1 }, returnDocument: 'after' }
    )
    expect(sorted?.k).toBe('b')
  })

  it('refuses to change _id and rejects unknown operators with MongoDB codes', async () => {
    const c = db.collection('errors')
    await c.insertOne({ _id: 1 as never, v: 1 })
    await expect(c.updateOne({ _id: 1 as never }, { $set: { _id: 2 } })).rejects.toMatchObject({ code: 66 })
    await expect(c.updateOne({ _id: 1 as never }, { $bogus: { v: 1 } } as never)).rejects.toMatchObject({
      code: 9
    })
    await expect(c.find({ v: { $bogus: 1 } } as never).toArray()).rejects.toMatchObject({ code: 2 })
    await c.updateOne({ _id: 1 as never }, { $set: { s: 'text' } })
    await expect(c.updateOne({ _id: 1 as never }, { $inc: { s: 1 } })).rejects.toMatchObject({ code: 14 })
    await expect(
      c.updateOne({ _id: 1 as never }, { $inc: { 'nested.s': 'x' } } as never)
    ).rejects.toMatchObject({ code: 14 })
    const err = await db.command({ definitelyNotACommand: 1 }).catch((e) => e)
    expect(err).toBeInstanceOf(MongoServerError)
    expect(err.code).toBe(59)
    expect(err.codeName).toBe('CommandNotFound')
    expect(err.message).toContain('definitelyNotACommand')
  })
})

describe('deletes', () => {
  it('deletes one and many', async () => {
    const c = db.collection('del')
    await c.insertMany([{ t: 1 }, { t: 1 }, { t: 2 }])
    expect((await c.deleteOne({ t: 1 })).deletedCount).toBe(1)
    expect((await c.deleteMany({})).deletedCount).toBe(2)
    expect(await c.countDocuments()).toBe(0)
  })
})

describe('unique indexes', () => {
  it('raises E11000 with keyPattern/keyValue and honours ordered semantics', async () => {
    const c = db.collection('users')
    await c.createIndex({ tenantId: 1, email: 1 }, { unique: true })
    await c.insertOne({ tenantId: 't1', email: 'a@x' })
    const err = await c.insertOne({ tenantId: 't1', email: 'a@x' }).catch((e) => e)
    expect(err.code).toBe(11000)
    expect(err.keyPattern).toEqual({ tenantId: 1, email: 1 })
    expect(err.keyValue).toEqual({ tenantId: 't1', email: 'a@x' })
    expect(err.message).toMatch(
      /^E11000 duplicate key error collection: .*\.users index: tenantId_1_email_1 dup key: \{ tenantId: "t1", email: "a@x" \}/
    )
    await c.insertOne({ tenantId: 't2', email: 'a@x' })

    const ordered = await c
      .insertMany([
        { tenantId: 't3', email: 'x' },
        { tenantId: 't1', email: 'a@x' },
        { tenantId: 't3', email: 'y' }
      ])
      .catch((e) => e)
    expect(ordered.code).toBe(11000)
    expect(ordered.result.insertedCount).toBe(1)
    const unordered = await c
      .insertMany(
        [
          { tenantId: 't4', email: 'x' },
          { tenantId: 't1', email: 'a@x' },
          { tenantId: 't4', email: 'y' }
        ],
        { ordered: false }
      )
      .catch((e) => e)
    expect(unordered.writeErrors).toHaveLength(1)
    expect(unordered.result.insertedCount).toBe(2)

    await c.insertOne({ tenantId: 't5', email: 'b' })
    await expect(
      c.updateOne({ tenantId: 't5' }, { $set: { tenantId: 't1', email: 'a@x' } })
    ).rejects.toMatchObject({ code: 11000 })
    await expect(
      c.updateOne({ tenantId: 't1', email: 'a@x' }, { $set: { n: 1 } }, { upsert: true })
    ).resolves.toMatchObject({ matchedCount: 1 })
  })

  it('enforces partial and sparse unique indexes only where they apply', async () => {
    const c = db.collection('partial')
    await c.createIndex({ slug: 1 }, { unique: true, partialFilterExpression: { published: true } })
    await c.insertMany([
      { slug: 's', published: false },
      { slug: 's', published: false },
      { slug: 's', published: true }
    ])
    await expect(c.insertOne({ slug: 's', published: true })).rejects.toMatchObject({ code: 11000 })
    const sparse = db.collection('sparse')
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true })
    await sparse.insertMany([{ x: 1 }, { x: 2 }, { code: 'a' }])
    await expect(sparse.insertOne({ code: 'a' })).rejects.toMatchObject({ code: 11000 })
  })

  it('refuses to build a unique index over duplicates and lists/drops indexes', async () => {
    const c = db.collection('idx')
    await c.insertMany([{ e: 1 }, { e: 1 }])
    await expect(c.createIndex({ e: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 })
    await c.createIndex({ e: 1, f: -1 }, { name: 'ef' })
    const names = (await c.listIndexes().toArray()).map((i) => i.name)
    expect(names).toEqual(['_id_', 'ef'])
    await c.dropIndex('ef')
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_'])
    await expect(c.dropIndex('nope')).rejects.toMatchObject({ code: 27 })
    await expect(db.collection('missing').listIndexes().toArray()).rejects.toMatchObject({
      codeName: 'NamespaceNotFound'
    })
  })

  it('rejects a duplicate _id', async () => {
    const c = db.collection('ids')
    await c.insertOne({ _id: 'k' as never })
    const err = await c.insertOne({ _id: 'k' as never }).catch((e) => e)
    expect(err.code).toBe(11000)
    expect(err.keyPattern).toEqual({ _id: 1 })
  })
})

describe('collections and databases', () => {
  it('creates, lists and drops collections', async () => {
    await db.createCollection('made')
    await expect(db.createCollection('made')).rejects.toMatchObject({ code: 48 })
    const listed = await db.listCollections({ name: 'made' }).toArray()
    expect(listed).toHaveLength(1)
    expect(listed[0].type).toBe('collection')
    const names = await db.listCollections({}, { nameOnly: true }).toArray()
    expect(names.map((c) => c.name)).toContain('made')
    expect(await db.collection('made').drop()).toBe(true)
    const dbs = await client.db('admin').admin().listDatabases()
    expect(dbs.databases.map((d) => d.name)).toContain(db.databaseName)
  })
})
