import { BSON, Long, ObjectId, UUID } from 'bson'
import { opMsg } from '../../test/devdb/support/wire-client.ts'
import { dispatch } from './commands/dispatch.ts'
import { Engine } from './engine.ts'
import { decodeRequest, encodeReply } from './wire/messages.ts'

const engine = new Engine({ info() {}, warn() {}, error() {}, debug() {} })
const lsid = { id: new UUID() }
const N = Number(process.env.N ?? 20000)
async function bench(label: string, mk: (i: number) => any) {
  const t = performance.now()
  for (let i = 0; i < N; i++) {
    const frame = opMsg(mk(i))
    const req = decodeRequest(frame)
    const reply = await dispatch({ engine, db: req.db, body: req.body, opCode: req.opCode, connectionId: 1 })
    encodeReply(req, reply)
  }
  console.log(label, Math.round(N / ((performance.now() - t) / 1000)), 'ops/s')
}
await bench('insert', (i) => ({
  insert: 'x',
  documents: [{ _id: new ObjectId(), tenantId: `t${i % 10}`, email: `e${i}`, n: i }],
  ordered: true,
  lsid,
  txnNumber: Long.fromNumber(i + 1),
  $db: 'b'
}))
//await bench('createIndex', (i) => ({ createIndexes: 'x', indexes: [{ key: { tenantId: 1, email: 1 }, name: 'te' }], $db: 'b' }))
if (process.env.ONLY) process.exit(0)
const ids = [...engine.catalog.collection('b', 'x')!.docs.values()].map((d) => d._id)
await bench('find _id', (i) => ({
  find: 'x',
  filter: { _id: ids[i % ids.length] },
  limit: 1,
  singleBatch: true,
  batchSize: 1,
  lsid,
  $db: 'b'
}))
await bench('find tenant+email', (i) => ({
  find: 'x',
  filter: { tenantId: `t${i % 10}`, email: `e${i}` },
  limit: 1,
  singleBatch: true,
  batchSize: 1,
  lsid,
  $db: 'b'
}))
await bench('ping', () => ({ ping: 1, $db: 'b' }))
