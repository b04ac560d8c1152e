// The embedded engine's garbage-collection pauses under a sustained insert load, with V8's default young
// generation beside the flags the engine's own process runs with (DEVDB_NODE_FLAGS): the engine keeps every
// document as live objects, so nearly everything it allocates while writing survives, and each scavenge copies
// what arrived since the last one. Prints per variant: inserts/s, scavenge count, median/p90/max pause and total
// scavenge time. `node bench/lib/engine-gc-pauses.ts`; ENGINE_GC_INSERTS (100,000 per variant), ENGINE_GC_FLAGS
// (another variant's node flags).
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { MongoClient } from 'mongodb'
import { DEVDB_NODE_FLAGS } from './bench-database.ts'

const INSERTS = Number(process.env.ENGINE_GC_INSERTS ?? 100_000)
const CONNECTIONS = 32
const cli = fileURLToPath(new URL('../../core/src/devdb/cli.ts', import.meta.url))

interface Engine {
  child: ChildProcess
  uri: string
  pausesMs: number[]
}

async function startEngine(flags: string[]): Promise<Engine> {
  const child = spawn(process.execPath, [...flags, '--trace-gc', cli, '--port', '0'], {
    env: { ...process.env, DEVDB_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  process.once('exit', () => child.kill('SIGKILL'))
  const engine: Engine = { child, uri: '', pausesMs: [] }
  let partial = ''
  child.stdout!.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (line.startsWith('mongodb://')) engine.uri = line.trim()
      // "... Scavenge 23.4 (34.1) -> 17.5 (34.1) MB, pooled: 0 MB, 2.08 / 0.00 ms ..."
      const pause = /Scavenge.*?, ([0-9.]+) \/ [0-9.]+ ms/.exec(line)
      if (pause) engine.pausesMs.push(Number(pause[1]))
    }
  })
  while (!engine.uri) {
    if (child.exitCode !== null) throw new Error(`engine exited with ${child.exitCode}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return engine
}

// Documents shaped like the registration bench's leads, under the same kind of indexes.
async function insertLeads(uri: string): Promise<number> {
  const client = await MongoClient.connect(`${uri}?serverMonitoringMode=poll`)
  try {
    const leads = client.db('engine_gc').collection('leads')
    await leads.createIndex({ tenantId: 1, email: 1 }, { unique: true })
    await leads.createIndex({ tenantId: 1, status: 1, createdAt: -1 })
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < INSERTS) {
          const i = next++
          const now = new Date()
          await leads.insertOne({
            tenantId: `tenant-${i % 200}`,
            email: `visitor-${i}@example.com`,
            name: 'Ada Visitor',
            phone: '+49 30 1234567',
            company: 'Example GmbH',
            status: 'NEW',
            masterclassId: `masterclass-${i % 7}`,
            source: { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring' },
            consent: true,
            createdAt: now,
            updatedAt: now,
            history: [{ from: null, to: 'NEW', at: now, by: 'registration' }]
          })
          if (i % 10_000 === 0) process.stdout.write('.')
        }
      })
    )
    return (INSERTS / (performance.now() - started)) * 1000
  } finally {
    await client.close()
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : 0
}

const variants = [
  { name: "V8's defaults", flags: [] as string[] },
  { name: `engine flags (${DEVDB_NODE_FLAGS.join(' ')})`, flags: DEVDB_NODE_FLAGS },
  // ENGINE_GC_FLAGS="--max-semi-space-size=4": a candidate to compare.
  ...(process.env.ENGINE_GC_FLAGS
    ? [{ name: process.env.ENGINE_GC_FLAGS, flags: process.env.ENGINE_GC_FLAGS.split(' ') }]
    : [])
]
console.log(`engine GC pauses: ${INSERTS} lead inserts per variant, ${CONNECTIONS} connections`)
for (const variant of variants) {
  const engine = await startEngine(variant.flags)
  try {
    const rate = await insertLeads(engine.uri)
    const sorted = [...engine.pausesMs].sort((a, b) => a - b)
    const total = sorted.reduce((sum, pause) => sum + pause, 0)
    console.log(
      `\n  ${variant.name.padEnd(40)} ${Math.round(rate)} inserts/s; ${sorted.length} scavenges: median ${quantile(sorted, 0.5).toFixed(1)} ms, p90 ${quantile(sorted, 0.9).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms, total ${Math.round(total)} ms`
    )
  } finally {
    engine.child.kill('SIGTERM')
  }
}
