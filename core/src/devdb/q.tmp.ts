import { MongoClient } from 'mongodb'
import { start } from './index.ts'

const db = await start({ logger: { info() {}, warn() {}, error() {}, debug() {} } })
const client = await MongoClient.connect(`${db.uri}app`, {
  maxPoolSize: 1,
  directConnection: process.env.DIRECT === '1',
  monitorCommands: false
})
const d = client.db()
for (let r = 0; r < 3; r++) {
  let t = performance.now()
  let c = process.cpuUsage()
  for (let i = 0; i < 2000; i++) await d.command({ ping: 1 })
  let cu = process.cpuUsage(c)
  console.log(
    'ping/s',
    Math.round(2000 / ((performance.now() - t) / 1000)),
    'cpu µs/op',
    Math.round((cu.user + cu.system) / 2000),
    'user',
    Math.round(cu.user / 2000)
  )
  t = performance.now()
  c = process.cpuUsage()
  for (let i = 0; i < 2000; i++) await d.collection('x').findOne({ _id: 1 as never })
  cu = process.cpuUsage(c)
  console.log(
    'findOne/s',
    Math.round(2000 / ((performance.now() - t) / 1000)),
    'cpu µs/op',
    Math.round((cu.user + cu.system) / 2000),
    'user',
    Math.round(cu.user / 2000)
  )
}
await client.close()
await db.stop()
