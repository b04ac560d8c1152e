// Framework tax: the same GET-by-id and 1 KB JSON POST on bare node:http, bare Koa and the Feathers stack,
// interleaved in one run, reported as throughput ratios against bare Koa.
import { benchSettings } from './lib/bench-settings.ts'
import { compareVariants, type Variant } from './lib/compare-variants.ts'
import { computeRatios, printRatios, printTable, type RatioTarget } from './lib/report.ts'
import { startBareHttp } from './servers/bare-http.ts'
import { startBareKoa } from './servers/bare-koa.ts'
import { startFeathersMemory } from './servers/feathers-memory.ts'
import { oneKilobyteItem } from './servers/item-store.ts'
import type { Listening } from './servers/listening.ts'

interface Server {
  key: string
  label: string
  start: () => Promise<Listening>
}

const servers: Server[] = [
  { key: 'a', label: 'bare node:http', start: startBareHttp },
  { key: 'b', label: 'bare Koa + router + body parser', start: startBareKoa },
  { key: 'c', label: 'Feathers Koa, in-memory service, no hooks', start: startFeathersMemory }
]

const targets: RatioTarget[] = [{ numerator: 'c', denominator: 'b', target: 0.85 }]

async function main(): Promise<void> {
  const settings = benchSettings()
  console.log(
    `framework-tax: ${settings.rounds} rounds x ${settings.durationMs} ms, ${settings.connections} connections, warm-up ${settings.warmupMs} ms`
  )
  const started = await Promise.all(servers.map(async (s) => ({ ...s, server: await s.start() })))
  try {
    const workloads = [
      {
        title: 'GET /items/:id',
        variant: (s: (typeof started)[number]): Variant => ({
          key: s.key,
          label: s.label,
          load: { url: `${s.server.url}/items/42`, method: 'GET', expectStatus: 200 }
        })
      },
      {
        title: 'POST /items (1 KB JSON)',
        variant: (s: (typeof started)[number]): Variant => ({
          key: s.key,
          label: s.label,
          load: { url: `${s.server.url}/items`, method: 'POST', body: oneKilobyteItem(), expectStatus: 201 }
        })
      }
    ]
    for (const workload of workloads) {
      const results = await compareVariants(started.map(workload.variant), settings, (m) =>
        console.log(`  ${m}`)
      )
      printTable(workload.title, results)
      const values = results.map((r) => ({ key: r.key, value: r.medianRps }))
      printRatios('throughput ratios (median req/s):', computeRatios(values, targets))
    }
  } finally {
    await Promise.all(started.map((s) => s.server.close()))
  }
}

await main()
