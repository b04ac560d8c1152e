// What each part of the platform's request path costs: the in-memory GET and 1 KB POST beside bare Koa (b)
// and Feathers (c), through (1) the platform's Koa
// middleware only (no service guard), (2) + the guard with a public rule (tenant, scope), (3) + JWT
// authentication and the access policy, (4) + validation and the result view (the bench's production hooks).
// Reported as the server process's CPU time per request (user + system, median of interleaved rounds),
// which a busy shared machine distorts far less than throughput; the difference between neighbours is
// what that part costs.
// `node bench/lib/hook-costs.ts`; knobs as for every bench (BENCH_ROUNDS, BENCH_DURATION_MS, ...), and
// HOOK_COSTS_ONLY (variant keys, e.g. `c4`) and HOOK_COSTS_WORKLOADS (`get,post,doc`) to measure a subset
// quickly while trying a change (two variants alternated give a steadier difference than six).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { oneKilobyteItem } from '../servers/item-store.ts'
import type { PlatformProcessReady } from '../servers/platform-process.ts'
import { startBenchDatabase } from './bench-database.ts'
import { benchSettings } from './bench-settings.ts'
import { median } from './compare-variants.ts'
import { runLoad } from './run-load.ts'

const settings = benchSettings()
const database = await startBenchDatabase()
const mongoUri = database.uriFor('bench_hook_costs')
console.log(`database engine: ${database.engine}`)
// The platform in its own process, like the load generator: only the server's own work is compared.
const child = fork(fileURLToPath(new URL('../servers/platform-process.ts', import.meta.url)))
const ready = await new Promise<PlatformProcessReady>((resolve) => {
  child.once('message', (message) => resolve(message as PlatformProcessReady))
  child.send({ mongoUri })
})
const cpuMicros = () =>
  new Promise<number>((resolve) => {
    child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros))
    child.send('cpu')
  })
const host = { host: ready.host }
const auth = { ...host, authorization: `Bearer ${ready.token}` }
const memoryVariants = [
  { key: 'b', label: 'bare Koa + router + body parser', base: ready.bareKoaUrl, path: 'items', headers: {} },
  { key: 'c', label: 'Feathers Koa, no hooks', base: ready.feathersUrl, path: 'items', headers: {} },
  {
    key: '1',
    label: 'platform middleware, unguarded service',
    base: ready.url,
    path: 'bench/items-bare',
    headers: host
  },
  {
    key: '2',
    label: '+ guard, public rule (tenant, scope)',
    base: ready.url,
    path: 'bench/items-public',
    headers: host
  },
  {
    key: '3',
    label: '+ JWT auth and policy',
    base: ready.url,
    path: 'bench/items-no-resolvers',
    headers: auth
  },
  {
    key: '4',
    label: '+ validation and result view (variant d)',
    base: ready.url,
    path: 'bench/items',
    headers: auth
  }
]
type Variant = (typeof memoryVariants)[number]
interface Workload {
  title: string
  method: 'GET' | 'POST'
  suffix: string
  expectStatus: number
  body?: string
  variants: Variant[]
  /** Ratios printed as numerator/denominator of throughput (inverse CPU). */
  ratios: [string, string][]
}
const memoryRatios: [string, string][] = [
  ['c', 'b'],
  ['4', 'b']
]
const workloads: Workload[] = [
  {
    title: 'GET /items/:id, in memory',
    method: 'GET',
    suffix: '/42',
    expectStatus: 200,
    variants: memoryVariants,
    ratios: memoryRatios
  },
  {
    title: 'POST /items 1 KB JSON, in memory',
    method: 'POST',
    suffix: '',
    expectStatus: 201,
    body: oneKilobyteItem(),
    variants: memoryVariants,
    ratios: memoryRatios
  },
  {
    // The database runs outside the API process: this is the API process's own CPU per request.
    title: 'GET /documents/:id, MongoDB (API process CPU only)',
    method: 'GET',
    suffix: '',
    expectStatus: 200,
    variants: [
      {
        key: 'f',
        label: 'bare Koa + driver',
        base: ready.bareDriverUrl,
        path: `documents/${ready.bareDriverDocumentId}`,
        headers: {}
      },
      {
        key: 'e',
        label: 'platform on the mongoose adapter',
        base: ready.url,
        path: `bench/documents/${ready.documentId}`,
        headers: auth
      }
    ],
    ratios: [['e', 'f']]
  }
]

const onlyKeys = process.env.HOOK_COSTS_ONLY
const onlyWorkloads = process.env.HOOK_COSTS_WORKLOADS?.split(',')
const workloadKeys = ['get', 'post', 'doc']
const selected = workloads
  .filter((_, index) => !onlyWorkloads || onlyWorkloads.includes(workloadKeys[index]))
  .map((workload) => ({
    ...workload,
    variants: workload.variants.filter((v) => !onlyKeys || onlyKeys.includes(v.key)),
    ratios: workload.ratios.filter(([n, d]) => !onlyKeys || (onlyKeys.includes(n) && onlyKeys.includes(d)))
  }))
  .filter((workload) => workload.variants.length > 0)

async function measure(workload: Workload, variant: Variant, durationMs: number) {
  const before = await cpuMicros()
  const result = await runLoad({
    url: `${variant.base}/${variant.path}${workload.suffix}`,
    method: workload.method,
    ...(workload.body !== undefined && { body: workload.body }),
    headers: variant.headers,
    expectStatus: workload.expectStatus,
    connections: settings.connections,
    durationMs
  })
  if (result.errors > 0) throw new Error(`${variant.label}: ${result.firstError}`)
  return { cpuPerRequest: ((await cpuMicros()) - before) / result.requests, rps: result.requestsPerSecond }
}

async function breakdown(workload: Workload): Promise<void> {
  const { variants } = workload
  for (const variant of variants) await measure(workload, variant, settings.warmupMs)
  const rounds = new Map(variants.map((v) => [v.key, [] as { cpuPerRequest: number; rps: number }[]]))
  for (let round = 0; round < settings.rounds; round++) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse())
      rounds.get(variant.key)!.push(await measure(workload, variant, settings.durationMs))
  }
  console.log(`\n${workload.title}: server CPU per request, by part of the chain`)
  const cpuOf = new Map<string, number>()
  let previous: number | undefined
  for (const variant of variants) {
    const cpu = median(rounds.get(variant.key)!.map((r) => r.cpuPerRequest))
    const rps = median(rounds.get(variant.key)!.map((r) => r.rps))
    cpuOf.set(variant.key, cpu)
    const added =
      previous === undefined ? '' : `  (${cpu >= previous ? '+' : ''}${(cpu - previous).toFixed(1)} µs)`
    console.log(
      `  (${variant.key}) ${variant.label.padEnd(44)} ${cpu.toFixed(1).padStart(7)} µs CPU/req${added}  ${Math.round(rps)} req/s`
    )
    previous = cpu
  }
  // When the server is CPU-bound, throughput is inversely proportional to CPU per request.
  const ratios = workload.ratios.map(
    ([numerator, denominator]) =>
      `${numerator === '4' ? 'd' : numerator}/${denominator} = ${(cpuOf.get(denominator)! / cpuOf.get(numerator)!).toFixed(2)}`
  )
  console.log(`  CPU-bound throughput ratios: ${ratios.join(', ')}`)
}

try {
  for (const workload of selected) await breakdown(workload)
} finally {
  await new Promise((resolve) => {
    child.once('exit', resolve)
    child.send('stop')
  })
  await database.stop()
}
