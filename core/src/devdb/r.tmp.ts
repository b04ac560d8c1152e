import { WireClient } from '../../test/devdb/support/wire-client.ts'
import { start } from './index.ts'

const db = await start({ logger: { info() {}, warn() {}, error() {}, debug() {} } })
const c = await WireClient.connect(db.uri)
for (let r = 0; r < 3; r++) {
  const t = performance.now()
  for (let i = 0; i < 2000; i++) await c.command({ ping: 1, $db: 'x' })
  console.log('raw ping/s', Math.round(2000 / ((performance.now() - t) / 1000)))
}
c.close()
await db.stop()
