// Framework tax: the same GET-by-id and 1 KB JSON POST on bare node:http, bare Koa, Feathers, and the full
// platform (tenant resolution, JWT auth, access policy, validation, result view), interleaved in one run and
// reported as throughput ratios; then the platform on the mongoose adapter against bare Koa + driver.
import { startBenchDatabase } from './lib/bench-database.ts'
import { benchSettings } from './lib/bench-settings.ts'
import { compareVariants, type Variant } from './lib/compare-variants.ts'
import { computeRatios, printRatios, printTable, type RatioTarget } from './lib/report.ts'
import { startBareHttp } from './servers/bare-http.ts'
import { startBareKoa } from './servers/bare-koa.ts'
import { startBareKoaDriver } from './servers/bare-koa-driver.ts'
import { startFeathersMemory } from './servers/feathers-memory.ts'
import { oneKilobyteItem } from './servers/item-store.ts'
import { startPlatformStack } from './servers/platform-stack.ts'

interface Workload {
  title: string
  variants: Variant[]
  targets: RatioTarget[]
}

const settings = benchSettings()
const progress = (message: string) => console.log(`  ${message}`)

async function run(workloads: Workload[]): Promise<void> {
  for (const workload of workloads) {
    const results = await compareVariants(workload.variants, settings, progress)
    printTable(workload.title, results)
    printRatios(
      'throughput ratios (median req/s):',
      computeRatios(
        results.map((r) => ({ key: r.key, value: r.medianRps })),
        workload.targets
      )
    )
  }
}

async function main(): Promise<void> {
  console.log(
    `framework-tax: ${settings.rounds} rounds x ${settings.durationMs} ms, ${settings.connections} connections, warm-up ${settings.warmupMs} ms`
  )
  // Both (e) and (f) against the same database; by default the embedded engine in its own process.
  const database = await startBenchDatabase()
  const mongoUri = database.uriFor('bench_framework_tax')
  console.log(`  database engine: ${database.engine}`)
  const [a, b, c, platform] = await Promise.all([
    startBareHttp(),
    startBareKoa(),
    startFeathersMemory(),
    startPlatformStack(mongoUri)
  ])
  const f = await startBareKoaDriver(mongoUri, 'bench-tenant')
  const auth = { host: platform.host, authorization: `Bearer ${platform.token}` }
  const body = oneKilobyteItem()
  try {
    const memoryTargets: RatioTarget[] = [
      { numerator: 'c', denominator: 'b', target: 0.85 },
      { numerator: 'd', denominator: 'b', target: 0.7 }
    ]
    const dbTargets: RatioTarget[] = [{ numerator: 'e', denominator: 'f', target: 0.7 }]
    await run([
      {
        title: 'GET /items/:id (in memory)',
        targets: memoryTargets,
        variants: [
          {
            key: 'a',
            label: 'bare node:http',
            load: { url: `${a.url}/items/42`, method: 'GET', expectStatus: 200 }
          },
          {
            key: 'b',
            label: 'bare Koa + router + body parser',
            load: { url: `${b.url}/items/42`, method: 'GET', expectStatus: 200 }
          },
          {
            key: 'c',
            label: 'Feathers Koa, no hooks',
            load: { url: `${c.url}/items/42`, method: 'GET', expectStatus: 200 }
          },
          {
            key: 'd',
            label: 'platform: tenant, JWT, policy, validation, result view',
            load: { url: `${platform.url}/bench/items/42`, method: 'GET', headers: auth, expectStatus: 200 }
          }
        ]
      },
      {
        title: 'POST /items 1 KB JSON (in memory)',
        targets: memoryTargets,
        variants: [
          {
            key: 'a',
            label: 'bare node:http',
            load: { url: `${a.url}/items`, method: 'POST', body, expectStatus: 201 }
          },
          {
            key: 'b',
            label: 'bare Koa + router + body parser',
            load: { url: `${b.url}/items`, method: 'POST', body, expectStatus: 201 }
          },
          {
            key: 'c',
            label: 'Feathers Koa, no hooks',
            load: { url: `${c.url}/items`, method: 'POST', body, expectStatus: 201 }
          },
          {
            key: 'd',
            label: 'platform: tenant, JWT, policy, validation, result view',
            load: {
              url: `${platform.url}/bench/items`,
              method: 'POST',
              body,
              headers: auth,
              expectStatus: 201
            }
          }
        ]
      },
      {
        title: 'GET /documents/:id (MongoDB)',
        targets: dbTargets,
        variants: [
          {
            key: 'e',
            label: 'platform on the mongoose adapter (tenant-scoped)',
            load: {
              url: `${platform.url}/bench/documents/${platform.documentId}`,
              method: 'GET',
              headers: auth,
              expectStatus: 200
            }
          },
          {
            key: 'f',
            label: 'bare Koa + driver',
            load: { url: `${f.url}/documents/${f.documentId}`, method: 'GET', expectStatus: 200 }
          }
        ]
      },
      {
        title: 'POST /documents 1 KB JSON (MongoDB)',
        targets: dbTargets,
        variants: [
          {
            key: 'e',
            label: 'platform on the mongoose adapter (tenant-scoped)',
            load: {
              url: `${platform.url}/bench/documents`,
              method: 'POST',
              body,
              headers: auth,
              expectStatus: 201
            }
          },
          {
            key: 'f',
            label: 'bare Koa + driver',
            load: { url: `${f.url}/documents`, method: 'POST', body, expectStatus: 201 }
          }
        ]
      }
    ])
  } finally {
    await Promise.all([a.close(), b.close(), c.close(), f.close()])
    await platform.close()
    await database.stop()
  }
}

await main()
