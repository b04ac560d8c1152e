// Storefront SSR: the landing page of a themed tenant (tenant profile, theme CSS and the plugin section's
// data from the storefront's burst cache, then the full server render) beside a static SvelteKit page of the
// same server, interleaved in one run.
// Reports req/s and p50/p99 latency; the ratio says what per-tenant rendering costs over plain SvelteKit.
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { createApp } from '../core/src/app/create-app.ts'
import { loadConfig } from '../core/src/config/load-config.ts'
import { startDatabase } from '../core/src/devdb/harness.ts'
import { configureWebApi } from '../core/src/web-api/configure-web-api.ts'
import { ensureBuilt, startWebApp } from '../core/test/client/support/web-apps.ts'
import masterclasses from '../plugins/masterclasses/plugin.ts'
import { benchEncryptionKey, benchSettings } from './lib/bench-settings.ts'
import { compareVariants } from './lib/compare-variants.ts'
import { computeRatios, printRatios, printTable } from './lib/report.ts'

const settings = benchSettings()
const progress = (message: string) => console.log(`  ${message}`)

async function main(): Promise<void> {
  console.log(
    `storefront-ssr: ${settings.rounds} rounds x ${settings.durationMs} ms, ${settings.connections} connections, warm-up ${settings.warmupMs} ms`
  )
  progress('building the storefront if its sources changed')
  await ensureBuilt('storefront')
  const database = await startDatabase()
  const monitoring = database.engine === 'embedded' ? '?serverMonitoringMode=poll' : ''
  const mongoUri = `${database.uri.replace(/\/?(\?.*)?$/, '')}/bench_storefront_ssr${monitoring}`
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MONGODB_URI: mongoUri,
    JWT_SECRET: randomBytes(32).toString('hex'),
    PLATFORM_ENCRYPTION_KEY: benchEncryptionKey(mongoUri).toString('hex'),
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'silent',
    RUN_WORKERS_IN_PROCESS: 'false'
  })
  const app = await createApp({ config, plugins: [masterclasses] })
  configureWebApi(app)
  const server = await app.listen(0, '127.0.0.1')
  if (!server.listening) await new Promise((done) => server.once('listening', done))
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const service = (path: string) => (app as any).service(path)
  const agency = await service('agencies').create({ slug: 'bench-agency', name: 'Bench agency' })
  const tenant = await service('tenants').create({
    slug: 'bench-brand',
    name: 'Bench Brand',
    agencyId: agency._id,
    theme: {
      colors: {
        primary: '#b00020',
        background: '#fffaf5',
        text: '#1a1a1a',
        secondary: '#222222',
        accent: '#ffb648'
      },
      fonts: { heading: 'Georgia, serif', body: 'system-ui, sans-serif' },
      copy: {
        headline: 'Benchmark headline',
        subheadline: 'Rendered per request',
        callToAction: 'Join',
        about: 'About'
      }
    }
  })
  await service('tenants').enablePlugin({ tenantId: tenant._id, plugin: 'masterclasses' })
  const host = await service('users').createStaff({
    email: 'host@bench.test',
    name: 'Host',
    role: 'host',
    password: 'bench-host-password',
    agencyId: agency._id,
    tenantIds: [tenant._id]
  })
  const Masterclass = app.get('mongoose').model('masterclasses.masterclass')
  const { runInScope } = await import('../core/src/context/request-scope.ts')
  await runInScope(
    { requestId: 'bench-seed', tenantId: tenant._id, actor: { kind: 'system', name: 'bench' } } as any,
    () =>
      Masterclass.create(
        Array.from({ length: 6 }, (_, index) => ({
          title: `Masterclass ${index + 1}`,
          description: 'A live session',
          hostId: host._id,
          startTime: new Date(Date.now() + (index + 1) * 86_400_000),
          endTime: new Date(Date.now() + (index + 1) * 86_400_000 + 3_600_000),
          price: { amount: 4900, currency: 'USD' },
          maxAttendees: 100
        }))
      )
  )
  // Default SITE_CACHE_MS (5 s) as deployed; the storefront follows this API's tenant-change broadcasts.
  const storefront = await startWebApp('storefront', {
    API_URL: apiUrl,
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: config.queuePrefix
  })
  const base = `http://127.0.0.1:${storefront.port}`
  try {
    const results = await compareVariants(
      [
        {
          key: 'static',
          label: 'static SvelteKit page (no tenant, no data)',
          load: { url: `${base}/platform`, method: 'GET', expectStatus: 200 }
        },
        {
          key: 'themed',
          label: 'themed tenant landing (site cache, theme, masterclasses section)',
          load: {
            url: `${base}/`,
            method: 'GET',
            headers: { host: `bench-brand.localhost:${storefront.port}` },
            expectStatus: 200
          }
        }
      ],
      settings,
      progress
    )
    printTable('GET storefront page (SSR)', results)
    printRatios(
      'throughput ratio themed/static (median req/s), informational target:',
      computeRatios(
        results.map((r) => ({ key: r.key, value: r.medianRps })),
        [{ numerator: 'themed', denominator: 'static', target: 0.25 }]
      )
    )
  } finally {
    await storefront.close()
    await app.teardown().catch(() => undefined)
    await database.stop()
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
