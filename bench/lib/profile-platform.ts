// Profiles variant (d)/(e): the platform stack in its own process under `node --cpu-prof`, load from
// load-generator processes, the database from startBenchDatabase() (its own process by default). Prints
// the hottest functions (self time) and leaves the .cpuprofile for Chrome DevTools. `node bench/lib/profile-platform.ts [seconds-per-workload]`;
// PROFILE_WORKLOADS=get,post,unguarded,doc,docpost,koa,feathers picks workloads (koa and feathers: variants b
// and c in the same process, for comparison; doc and docpost: variant e's GET and 1 KB POST).
import { fork } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { oneKilobyteItem } from '../servers/item-store.ts'
import type { PlatformProcessReady } from '../servers/platform-process.ts'
import { startBenchDatabase } from './bench-database.ts'
import { runLoad } from './run-load.ts'

const seconds = Number(process.argv[2] ?? 8)
const profileDir = mkdtempSync(join(tmpdir(), 'platform-profile-'))
const database = await startBenchDatabase()
const mongoUri = database.uriFor('bench_profile')
console.log(`database engine: ${database.engine}`)
const child = fork(fileURLToPath(new URL('../servers/platform-process.ts', import.meta.url)), [], {
  execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
})
const ready = await new Promise<PlatformProcessReady>((resolve) => {
  child.once('message', (message) => resolve(message as PlatformProcessReady))
  child.send({ mongoUri })
})
const headers = { host: ready.host, authorization: `Bearer ${ready.token}` }
const workloads = (process.env.PROFILE_WORKLOADS ?? 'get,post').split(',')
for (const workload of workloads) {
  const load =
    workload === 'get'
      ? { url: `${ready.url}/bench/items/42`, method: 'GET' as const, expectStatus: 200 }
      : workload === 'unguarded'
        ? { url: `${ready.url}/bench/items-bare/42`, method: 'GET' as const, expectStatus: 200 }
        : workload === 'koa'
          ? { url: `${ready.bareKoaUrl}/items/42`, method: 'GET' as const, expectStatus: 200 }
          : workload === 'feathers'
            ? { url: `${ready.feathersUrl}/items/42`, method: 'GET' as const, expectStatus: 200 }
            : workload === 'post' || workload === 'docpost'
              ? {
                  url: `${ready.url}/bench/${workload === 'post' ? 'items' : 'documents'}`,
                  method: 'POST' as const,
                  body: oneKilobyteItem(),
                  expectStatus: 201
                }
              : {
                  url: `${ready.url}/bench/documents/${ready.documentId}`,
                  method: 'GET' as const,
                  expectStatus: 200
                }
  const result = await runLoad({ ...load, headers, connections: 32, durationMs: seconds * 1000 })
  console.log(
    `${workload}: ${Math.round(result.requestsPerSecond)} req/s, errors ${result.errors} ${result.firstError ?? ''}`
  )
}
await new Promise((resolve) => {
  child.once('exit', resolve)
  child.send('stop')
})
await database.stop()

const file = join(profileDir, readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'))!)
const profile = JSON.parse(readFileSync(file, 'utf8'))
const selfByFrame = new Map<string, number>()
const interval = (profile.endTime - profile.startTime) / profile.samples.length
const byId = new Map<number, any>(profile.nodes.map((node: any) => [node.id, node]))
const counts = new Map<number, number>()
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1)
let total = 0
for (const [id, count] of counts) {
  const frame = byId.get(id).callFrame
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^.*work\/main\//, '')}:${frame.lineNumber + 1}`
  selfByFrame.set(key, (selfByFrame.get(key) ?? 0) + count)
  total += count
}
console.log(`profile: ${file} (${Math.round((total * interval) / 1000)} ms sampled)`)
for (const [key, count] of [...selfByFrame].sort((a, b) => b[1] - a[1]).slice(0, 45)) {
  console.log(`${((count / total) * 100).toFixed(1).padStart(5)} %  ${key}`)
}
