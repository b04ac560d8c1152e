import { MongoClient } from 'mongodb'
import { start } from './index.ts'

const db = await start({ logger: { info() {}, warn() {}, error() {}, debug() {} } })
const client = await MongoClient.connect(`${db.uri}app`)
const c = client.db().collection('x')
await c.createIndex({ t: 1 })
await c.insertMany([{ t: 1 }, { t: 2 }, { t: 1 }])
const e = await c.aggregate([{ $match: { t: 1 } }, { $count: 'n' }]).explain('executionStats')
console.log(JSON.stringify(e.executionStats), JSON.stringify(e.queryPlanner.winningPlan))
console.log(await client.db().stats())
try {
  await c.rename('y')
} catch (err) {
  console.log('rename', (err as Error).message)
}
console.log(
  await c
    .find({ t: { $type: 'number' } })
    .sort({ _id: -1 })
    .toArray()
)
console.log(await c.countDocuments({}, { hint: 't_1' }))
await client.close()
await db.stop()
