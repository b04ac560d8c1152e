import { dispatch } from './commands/dispatch.ts'
import { Engine } from './engine.ts'

const engine = new Engine({ info() {}, warn() {}, error() {}, debug() {} })
await dispatch({
  engine,
  db: 'b',
  body: { insert: 'c', documents: [{ _id: 'c', n: 0, name: 'x', tags: ['a'] }], $db: 'b' },
  opCode: 2013,
  connectionId: 1
})
const N = 30000
const t = performance.now()
for (let i = 0; i < N; i++)
  await dispatch({
    engine,
    db: 'b',
    body: { update: 'c', updates: [{ q: { _id: 'c' }, u: { $inc: { n: 1 } } }], $db: 'b' },
    opCode: 2013,
    connectionId: 1
  })
console.log('update/s', Math.round(N / ((performance.now() - t) / 1000)))
