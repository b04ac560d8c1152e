// Conformance: the pipeline's rollup write shape through mongoose (bulkWrite upserts with $inc on a compound
// unique index holding a null and a Date, after a read, inside connection.transaction) converges under
// concurrent writers: slots inserted after a writer's snapshot must give it a retryable WriteConflict, not E11000.
import mongoose, { Schema } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../support/database.ts'

const conn = mongoose.createConnection()
const rollupSchema = new Schema({
  tenantId: String,
  kind: String,
  dim: String,
  key: { type: String, default: null },
  day: Date,
  count: Number
})
rollupSchema.index({ tenantId: 1, kind: 1, dim: 1, key: 1, day: 1 }, { unique: true })
const Rollup = conn.model('Rollup', rollupSchema)
const day = new Date('2026-11-24T00:00:00Z')
const dims = ['all', 'source', 'rep']

beforeAll(async () => {
  await conn.openUri(testDatabaseUri('devdb_write_conflicts_mongoose'))
  await Rollup.syncIndexes()
})

afterAll(async () => {
  await conn.dropDatabase()
  await conn.close()
})

describe('concurrent rollup upserts in mongoose transactions', () => {
  it('20 writers, each +1 on the same 3 new slots (crossed order), give exactly 20 per slot', async () => {
    const writers = 20
    await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        conn.transaction(async (session) => {
          const order = i % 2 === 0 ? dims : [...dims].reverse()
          // Like the pipeline, read first: the snapshot is fixed before others commit the new slots.
          await Rollup.findOne({ tenantId: 't1', kind: 'stage' }).session(session).lean()
          await new Promise((resolve) => setTimeout(resolve, 5))
          await Rollup.bulkWrite(
            order.map((dim) => ({
              updateOne: {
                filter: { tenantId: 't1', kind: 'stage', dim, key: null, day },
                update: { $inc: { count: 1 } },
                upsert: true
              }
            })),
            { ordered: true, session }
          )
        })
      )
    )
    const slots = await Rollup.find({}, { _id: 0, dim: 1, count: 1 }).sort({ dim: 1 }).lean()
    expect(slots).toEqual([
      { dim: 'all', count: writers },
      { dim: 'rep', count: writers },
      { dim: 'source', count: writers }
    ])
  })
})
