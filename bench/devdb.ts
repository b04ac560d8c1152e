// devdb throughput/latency bench: `./node_modules/.bin/node bench/devdb.ts [--ops 20000] [--full] [--uri mongodb://...]`.
// With --uri the driver talks to a server in another process (e.g. `npm run devdb` under --cpu-prof), so the
// server's profile is not mixed with the driver's; the CPU column then counts the client process only.
// Each driver figure (one connection, sequential awaits) is printed beside a bare baseline from the same process:
//   * raw TCP: the same request bytes over a loopback socket to a server that answers with a canned reply of the
//     same size. It is the transport + event-loop floor any networked server pays, so the ratio shows what the
//     driver plus devdb add on top of the wire itself.
//   * Map: the same logical operation on an in-process Map, for scale (pure data-structure cost).
import net from 'node:net'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { start } from '@masterstage/core/devdb'
import { BSON, type Document, Long, ObjectId, UUID } from 'bson'
import { MongoClient } from 'mongodb'

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '20000' },
    full: { type: 'boolean', default: false },
    uri: { type: 'string' }
  },
  strict: true
})
const OPS = Number(values.ops)
const SIZES = values.full ? [10_000, 100_000, 1_000_000] : [10_000, 100_000]
const silent = { info() {}, warn() {}, error() {}, debug() {} }

function opMsg(body: Document): Buffer {
  const doc = BSON.serialize(body)
  const buf = Buffer.alloc(21 + doc.length)
  buf.writeInt32LE(buf.length, 0)
  buf.writeInt32LE(1, 4)
  buf.writeInt32LE(2013, 12)
  buf.set(doc, 21)
  return buf
}

// Loopback server answering every frame with `replySize` bytes; the client awaits each reply before sending.
async function rawRoundTrips(request: Buffer, replySize: number, count: number): Promise<Rate> {
  const reply = Buffer.alloc(replySize)
  reply.writeInt32LE(replySize, 0)
  const server = net.createServer((socket) => {
    socket.setNoDelay(true)
    let pending = 0
    socket.on('data', (chunk) => {
      pending += chunk.length
      while (pending >= request.length) {
        pending -= request.length
        socket.write(reply)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  const socket = net.connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise((r) => socket.once('connect', r))
  let received = 0
  let done = 0
  let resolveAll: () => void = () => {}
  const finished = new Promise<void>((r) => {
    resolveAll = r
  })
  const cpu = process.cpuUsage()
  const started = performance.now()
  socket.on('data', (chunk) => {
    received += chunk.length
    while (received >= replySize) {
      received -= replySize
      done++
      if (done === count) resolveAll()
      else socket.write(request)
    }
  })
  socket.write(request)
  await finished
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  socket.destroy()
  await new Promise((r) => server.close(r))
  return { perSecond: count / seconds, cpuMicros: (used.user + used.system) / count }
}

interface Rate {
  perSecond: number
  // CPU time this process spent per operation (client and server both live here): a load-independent figure.
  cpuMicros: number
}

async function timed(count: number, op: (i: number) => Promise<unknown> | unknown): Promise<Rate> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < count; i++) await op(i)
  const used = process.cpuUsage(cpu)
  return {
    perSecond: count / ((performance.now() - started) / 1000),
    cpuMicros: (used.user + used.system) / count
  }
}

function row(label: string, devdb: Rate, raw: Rate, map: Rate): void {
  const f = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12)
  const us = (n: number) => n.toFixed(1).padStart(10)
  console.log(
    `${label.padEnd(24)}${f(devdb.perSecond)}${us(devdb.cpuMicros)}${f(raw.perSecond)}${us(raw.cpuMicros)}${(devdb.perSecond / raw.perSecond).toFixed(2).padStart(7)}${f(1e6 / devdb.cpuMicros)}${f(map.perSecond)}`
  )
}

// Other processes on the machine skew every figure; the load average is printed so runs can be compared.
function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

const db = values.uri ? null : await start({ port: 0, logger: silent })
const client = await MongoClient.connect(values.uri ?? `${db!.uri}bench`, { maxPoolSize: 1 })
await client.db().dropDatabase()
const users = client.db().collection('users')
await users.createIndex({ tenantId: 1, email: 1 }, { unique: true })

// Warm up the JIT on both paths before measuring.
for (let i = 0; i < 2000; i++)
  await users.insertOne({ tenantId: 'warm', email: `w${i}`, createdAt: new Date(), name: 'warm' })
for (let i = 0; i < 2000; i++) await users.findOne({ tenantId: 'warm', email: `w${i}` })

const docFor = (i: number) => ({
  _id: new ObjectId(),
  tenantId: `t${i % 50}`,
  email: `user${i}@example.com`,
  createdAt: new Date(),
  name: `User ${i}`
})
const docs = Array.from({ length: OPS }, (_, i) => docFor(i))
const lsid = { id: new UUID() }

console.log(
  `devdb bench: ${OPS} sequential operations per row, one driver connection (maxPoolSize 1), in-memory engine`
)
console.log(`machine: ${os.cpus().length} CPUs, load average at start ${loadAverage()}`)
console.log(
  `${'operation'.padEnd(24)}${'devdb ops/s'.padStart(12)}${'cpu µs/op'.padStart(10)}${'raw TCP/s'.padStart(12)}${'cpu µs/op'.padStart(10)}${'ratio'.padStart(7)}${'devdb/core'.padStart(12)}${'Map ops/s'.padStart(12)}`
)
console.log(
  '(devdb/core = 1e6 / devdb cpu µs per op: throughput if this process had one idle core to itself)'
)

const insertRate = await timed(OPS, (i) => users.insertOne(docs[i]))
const insertRequest = opMsg({
  insert: 'users',
  documents: [docs[0]],
  ordered: true,
  lsid,
  txnNumber: Long.fromNumber(1),
  $db: 'bench'
})
const insertReply = opMsg({
  n: 1,
  ok: 1,
  $clusterTime: { clusterTime: Long.ZERO, signature: { hash: Buffer.alloc(20), keyId: Long.ZERO } },
  operationTime: Long.ZERO
}).length
const map = new Map<string, Document>()
const mapInsert = await timed(OPS, (i) => map.set(docs[i]._id.toHexString(), docs[i]))
row('insertOne', insertRate, await rawRoundTrips(insertRequest, insertReply, OPS), mapInsert)

const idRate = await timed(OPS, (i) => users.findOne({ _id: docs[i]._id }))
const findReply = opMsg({
  cursor: { id: Long.ZERO, ns: 'bench.users', firstBatch: [docs[0]] },
  ok: 1,
  $clusterTime: { clusterTime: Long.ZERO, signature: { hash: Buffer.alloc(20), keyId: Long.ZERO } },
  operationTime: Long.ZERO
}).length
const idRequest = opMsg({
  find: 'users',
  filter: { _id: docs[0]._id },
  limit: 1,
  singleBatch: true,
  batchSize: 1,
  lsid,
  $db: 'bench'
})
const mapId = await timed(OPS, (i) => map.get(docs[i]._id.toHexString()))
row('findOne by _id', idRate, await rawRoundTrips(idRequest, findReply, OPS), mapId)

const tenantRate = await timed(OPS, (i) =>
  users.findOne({ tenantId: docs[i].tenantId, email: docs[i].email })
)
const tenantRequest = opMsg({
  find: 'users',
  filter: { tenantId: docs[0].tenantId, email: docs[0].email },
  limit: 1,
  singleBatch: true,
  batchSize: 1,
  lsid,
  $db: 'bench'
})
const byTenantEmail = new Map(docs.map((d) => [`${d.tenantId}\u0000${d.email}`, d]))
const mapTenant = await timed(OPS, (i) => byTenantEmail.get(`${docs[i].tenantId}\u0000${docs[i].email}`))
row('findOne tenantId+email', tenantRate, await rawRoundTrips(tenantRequest, findReply, OPS), mapTenant)

// The write shapes of the registration and payments-webhook workloads: an upsert on a unique compound index,
// a counter findOneAndUpdate with $inc, and a small transaction (3 writes + an upsert, then commit).
console.log('\nwrite workloads (same connection, sequential; CPU is client + server unless --uri)')
console.log(`${'operation'.padEnd(40)}${'ops/s'.padStart(12)}${'cpu µs/op'.padStart(10)}`)
const writeOps = Math.max(1000, Math.floor(OPS / 4))
const registrations = client.db().collection('registrations')
await registrations.createIndex({ tenantId: 1, email: 1 }, { unique: true })
const counters = client.db().collection<{ _id: string; n: number }>('counters')
const ledger = client.db().collection('ledger')
await ledger.createIndex({ tenantId: 1, eventId: 1 }, { unique: true })
const writeRow = (label: string, rate: Rate) =>
  console.log(
    `${label.padEnd(40)}${Math.round(rate.perSecond).toLocaleString('en-US').padStart(12)}${rate.cpuMicros.toFixed(1).padStart(10)}`
  )
writeRow(
  'upsert on unique {tenantId, email}',
  await timed(writeOps, (i) =>
    registrations.updateOne(
      { tenantId: `t${i % 20}`, email: `u${i % 2000}@example.com` },
      { $set: { name: `N${i}`, updatedAt: new Date() }, $setOnInsert: { createdAt: new Date() } },
      { upsert: true }
    )
  )
)
writeRow(
  'findOneAndUpdate $inc (upsert)',
  await timed(writeOps, (i) =>
    counters.findOneAndUpdate(
      { _id: `c${i % 50}` },
      { $inc: { n: 1 } },
      { upsert: true, returnDocument: 'after' }
    )
  )
)
const session = client.startSession()
writeRow(
  'txn: 2 inserts, $inc, upsert, commit',
  await timed(Math.floor(writeOps / 2), async (i) => {
    session.startTransaction()
    await ledger.insertOne(
      { tenantId: `t${i % 20}`, eventId: `e${i}`, amount: i, createdAt: new Date() },
      { session }
    )
    await counters.updateOne({ _id: `tc${i % 50}` }, { $inc: { n: 1 } }, { upsert: true, session })
    await users.insertOne(
      { tenantId: `tx${i % 20}`, email: `tx${i}@example.com`, createdAt: new Date() },
      { session }
    )
    await registrations.updateOne(
      { tenantId: `t${i % 20}`, email: `u${i % 2000}@example.com` },
      { $set: { paidAt: new Date() } },
      { upsert: true, session }
    )
    await session.commitTransaction()
  })
)
await session.endSession()

console.log(
  '\ntenant-index find latency as other tenants grow: find({ tenantId }).sort({ createdAt: -1 }).limit(20)'
)
console.log(
  `${'other docs'.padStart(12)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}${'keys examined'.padStart(15)}${'docs examined'.padStart(15)}`
)
const scaling = client.db().collection('scaling')
await scaling.createIndex({ tenantId: 1, createdAt: -1 })
const base = Date.now()
await scaling.insertMany(
  Array.from({ length: 100 }, (_, i) => ({ tenantId: 'target', createdAt: new Date(base + i), n: i }))
)
let others = 0
for (const size of SIZES) {
  while (others < size) {
    const batch = Math.min(10_000, size - others)
    await scaling.insertMany(
      Array.from({ length: batch }, (_, i) => ({
        tenantId: `other${(others + i) % 1000}`,
        createdAt: new Date(base + others + i),
        n: others + i
      }))
    )
    others += batch
  }
  const latencies: number[] = []
  for (let i = 0; i < 2000; i++) {
    const t = performance.now()
    await scaling.find({ tenantId: 'target' }).sort({ createdAt: -1 }).limit(20).toArray()
    latencies.push((performance.now() - t) * 1000)
  }
  latencies.sort((a, b) => a - b)
  const plan = await scaling
    .find({ tenantId: 'target' })
    .sort({ createdAt: -1 })
    .limit(20)
    .explain('executionStats')
  const stats = plan.executionStats as Document
  console.log(
    `${size.toLocaleString('en-US').padStart(12)}${Math.round(percentile(latencies, 0.5)).toString().padStart(10)}${Math.round(percentile(latencies, 0.99)).toString().padStart(10)}${String(stats.totalKeysExamined).padStart(15)}${String(stats.totalDocsExamined).padStart(15)}`
  )
}

console.log(`load average at end ${loadAverage()}`)
await client.close()
await db?.stop()
