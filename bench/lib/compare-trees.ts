// A/B of the platform's CPU per request between this checkout and another one (e.g. `git archive` of an
// older commit with node_modules linked): both platform processes run side by side and their variants are
// measured interleaved, so a busy shared machine colours both alike. `node bench/lib/compare-trees.ts
// /tmp/base`; knobs as for every bench (BENCH_ROUNDS, BENCH_DURATION_MS, BENCH_WARMUP_MS).
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { oneKilobyteItem } from '../servers/item-store.ts'
import type { PlatformProcessReady } from '../servers/platform-process.ts'
import { startBenchDatabase } from './bench-database.ts'
import { benchSettings } from './bench-settings.ts'
import { median } from './compare-variants.ts'
import { runLoad } from './run-load.ts'

const other = process.argv[2]
if (!other) throw new Error('usage: compare-trees.ts <other checkout>')
const settings = benchSettings()
const database = await startBenchDatabase()
console.log(`database engine: ${database.engine}`)

async function start(label: string, script: string, db: string) {
  const child = fork(script, [], { cwd: join(script, '../../..') })
  const ready = await new Promise<PlatformProcessReady>((resolve) => {
    child.once('message', (message) => resolve(message as PlatformProcessReady))
    child.send({ mongoUri: database.uriFor(db) })
  })
  return { label, child, ready }
}
const trees = [
  await start('new', fileURLToPath(new URL('../servers/platform-process.ts', import.meta.url)), 'ab_new'),
  await start('old', join(other, 'bench/servers/platform-process.ts'), 'ab_old')
]
const cpuMicros = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros))
    child.send('cpu')
  })

interface Variant {
  key: string
  child: ChildProcess
  url: string
  headers: Record<string, string>
}
const body = oneKilobyteItem()
for (const [method, suffix, expectStatus] of [
  ['GET', '/42', 200],
  ['POST', '', 201]
] as const) {
  const variants: Variant[] = []
  for (const { label, child, ready } of trees) {
    const auth = { host: ready.host, authorization: `Bearer ${ready.token}` }
    variants.push(
      { key: `${label} b`, child, url: `${ready.bareKoaUrl}/items${suffix}`, headers: {} },
      {
        key: `${label} 1`,
        child,
        url: `${ready.url}/bench/items-bare${suffix}`,
        headers: { host: ready.host }
      },
      { key: `${label} d`, child, url: `${ready.url}/bench/items${suffix}`, headers: auth }
    )
  }
  const measure = async (variant: Variant, durationMs: number) => {
    const before = await cpuMicros(variant.child)
    const result = await runLoad({
      url: variant.url,
      method,
      ...(method === 'POST' && { body }),
      headers: variant.headers,
      expectStatus,
      connections: settings.connections,
      durationMs
    })
    if (result.errors > 0) throw new Error(`${variant.key}: ${result.firstError}`)
    return ((await cpuMicros(variant.child)) - before) / result.requests
  }
  for (const variant of variants) await measure(variant, settings.warmupMs)
  const cpu = new Map(variants.map((v) => [v.key, [] as number[]]))
  for (let round = 0; round < settings.rounds; round++)
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse())
      cpu.get(variant.key)!.push(await measure(variant, settings.durationMs))
  console.log(`\n${method}: server CPU µs per request (median of ${settings.rounds})`)
  for (const variant of variants)
    console.log(`  ${variant.key.padEnd(6)} ${median(cpu.get(variant.key)!).toFixed(1).padStart(7)}`)
  for (const { label } of trees) {
    const b = median(cpu.get(`${label} b`)!)
    const d = median(cpu.get(`${label} d`)!)
    console.log(`  ${label}: CPU-bound d/b = ${(b / d).toFixed(2)}`)
  }
}
for (const { child } of trees) {
  await new Promise((resolve) => {
    child.once('exit', resolve)
    child.send('stop')
  })
}
await database.stop()
