import { MongoClient } from 'mongodb'
import { start } from './index.ts'

const db = await start({ logger: { info() {}, warn() {}, error() {}, debug() {} } })
const client = await MongoClient.connect(`${db.uri}app`)
const c = client.db().collection('x')
await c.insertMany([{ a: 1, sub: { s: 1 }, arr: [{ q: 1 }] }])
const steps: [string, () => Promise<unknown>][] = [
  ['addFields', () => c.aggregate([{ $addFields: { z: 1 } }, { $set: { 'sub.t': 2 } }]).toArray()],
  [
    'unwind',
    () => c.aggregate([{ $unwind: '$arr' }, { $set: { 'arr.w': 3 } }, { $project: { a: 1 } }]).toArray()
  ],
  ['replaceRoot', () => c.aggregate([{ $replaceRoot: { newRoot: '$sub' } }, { $set: { u: 1 } }]).toArray()],
  [
    'lookup',
    () =>
      c
        .aggregate([
          { $lookup: { from: 'x', localField: 'a', foreignField: 'a', as: 'self' } },
          { $unset: 'sub' }
        ])
        .toArray()
  ],
  [
    'group',
    () =>
      c
        .aggregate([
          { $group: { _id: null, all: { $push: '$$ROOT' } } },
          { $unwind: '$all' },
          { $set: { 'all.mut': 1 } }
        ])
        .toArray()
  ],
  ['matchset', () => c.aggregate([{ $match: { a: 1 } }, { $set: { m2: 1 } }]).toArray()],
  ['find proj', () => c.find({}, { projection: { 'sub.s': 1 } }).toArray()],
  ['update', () => c.updateOne({ a: 1 }, { $set: { 'sub.x': 9 } })],
  ['update2', () => c.updateOne({ a: 1 }, { $set: { y: 9 } })]
]
for (const [label, step] of steps) {
  await step()
  console.log(label, JSON.stringify(await c.findOne({}, { projection: { _id: 0 } })))
}
await client.close()
await db.stop()
