// Data-layer tax: (1) a tenant-scoped query through core's mongoose adapter on a 20-tenant collection vs the
// same query on a single-tenant collection of the tenant's size; (2) mongoose lean finds vs driver finds: the
// raw `Model.find().lean()` (the comparison) and, beside it, the same find through the adapter
// (Feathers query translation, tenant plugin, secret stripping), which is what services actually run.
// Database: bench/lib/bench-database.ts (embedded engine in its own process unless BENCH_DB / MONGODB_URI).
import { MongoClient } from 'mongodb'
import mongoose, { type Connection } from 'mongoose'
import { runInScope } from '../core/src/context/request-scope.ts'
import { connectDatabase } from '../core/src/data/connect.ts'
import { MongooseService } from '../core/src/data/mongoose-service.ts'
import { tenantScopedPlugin } from '../core/src/data/tenant-scoped-plugin.ts'
import { startBenchDatabase } from './lib/bench-database.ts'
import { benchSettings } from './lib/bench-settings.ts'
import { compareOps, type OpResult, type OpVariant } from './lib/compare-ops.ts'
import { median } from './lib/compare-variants.ts'
import { computeRatios, printRatios } from './lib/report.ts'

const TENANTS = Number(process.env.BENCH_TENANTS ?? 20)
const DOCS_PER_TENANT = Number(process.env.BENCH_DOCS_PER_TENANT ?? 10_000)
const PAGE = 20
const STATUSES = ['open', 'won', 'lost', 'nurture'] as const

function leadSchema(tenantScoped: boolean) {
  const schema = new mongoose.Schema({
    name: { type: String, required: true },
    email: { type: String, required: true },
    status: { type: String, required: true },
    score: { type: Number, required: true },
    createdAt: { type: Date, required: true }
  })
  if (tenantScoped) {
    schema.plugin(tenantScopedPlugin)
    schema.index({ tenantId: 1, status: 1, createdAt: -1 })
  } else schema.index({ status: 1, createdAt: -1 })
  return schema
}

function leadDoc(i: number, tenantId?: string) {
  return {
    ...(tenantId && { tenantId }),
    name: `Lead ${i}`,
    email: `lead${i}@example.test`,
    status: STATUSES[i % STATUSES.length],
    score: i % 100,
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000)
  }
}

async function seed(collection: import('mongodb').Collection, docs: () => Iterable<object>): Promise<void> {
  let batch: object[] = []
  for (const doc of docs()) {
    batch.push(doc)
    if (batch.length === 2000) {
      await collection.insertMany(batch, { ordered: false })
      batch = []
    }
  }
  if (batch.length) await collection.insertMany(batch, { ordered: false })
}

async function keysExamined(connection: Connection, collection: string, filter: object): Promise<string> {
  try {
    const explain = await connection
      .db!.collection(collection)
      .find(filter)
      .sort({ createdAt: -1 })
      .limit(PAGE)
      .explain('executionStats')
    const stats = (explain as any).executionStats
    return `keys examined ${stats?.totalKeysExamined ?? '?'}, docs examined ${stats?.totalDocsExamined ?? '?'}`
  } catch (error) {
    return `explain not supported by this engine (${(error as Error).message.slice(0, 60)})`
  }
}

function expectPage(rows: unknown[]): void {
  if (rows.length !== PAGE) throw new Error(`expected ${PAGE} rows, got ${rows.length}`)
}

function printOps(title: string, results: OpResult[]): void {
  console.log(`\n${title}`)
  for (const r of results) {
    console.log(
      `  (${r.key}) ${r.label.padEnd(60)} ${Math.round(r.medianOpsPerSecond).toString().padStart(8)} ops/s`
    )
  }
}

/**
 * CPU time of this process per operation (median of interleaved rounds), a figure a busy shared machine
 * distorts far less than throughput. With the engine in its own process it is the client side alone
 * (mongoose/adapter vs driver); in process it includes the engine's work for both variants alike.
 */
async function cpuPerOp(variants: readonly OpVariant[], rounds: number, concurrency: number) {
  const operations = Number(process.env.BENCH_CPU_OPS ?? 3000)
  const samples = new Map<string, number[]>(variants.map((v) => [v.key, []]))
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      let started = 0
      const before = process.cpuUsage()
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (started++ < operations) await variant.run()
        })
      )
      const used = process.cpuUsage(before)
      samples.get(variant.key)!.push((used.user + used.system) / operations)
    }
  }
  return variants.map((v) => ({ key: v.key, label: v.label, micros: median(samples.get(v.key)!) }))
}

function printCpu(results: { key: string; label: string; micros: number }[], pairs: [string, string][]) {
  console.log('  CPU of the bench process per operation (median of interleaved rounds):')
  for (const r of results)
    console.log(`    (${r.key}) ${r.label.padEnd(58)} ${r.micros.toFixed(1).padStart(7)} µs`)
  const byKey = new Map(results.map((r) => [r.key, r.micros]))
  const ratios = pairs.map(([n, d]) => `${n}/${d} = ${(byKey.get(d)! / byKey.get(n)!).toFixed(3)}`)
  console.log(`    CPU-bound throughput ratios: ${ratios.join(', ')}`)
}

async function main(): Promise<void> {
  const base = benchSettings()
  const settings = { ...base, concurrency: Math.min(base.connections, 8) }
  console.log(
    `data-layer: ${TENANTS} tenants x ${DOCS_PER_TENANT} docs, ${settings.rounds} rounds x ${settings.durationMs} ms, concurrency ${settings.concurrency}`
  )
  const database = await startBenchDatabase()
  const uri = database.uriFor('bench_data_layer')
  console.log(`  database engine: ${database.engine}`)
  const connection = await connectDatabase(uri)
  const client = await MongoClient.connect(uri)
  try {
    const MultiTenant = connection.model('BenchLeadMulti', leadSchema(true), 'bench_leads_multi')
    const SingleTenant = connection.model('BenchLeadSingle', leadSchema(false), 'bench_leads_single')
    // Raw driver writes: seeding is platform maintenance, outside any tenant scope.
    await client.db().collection('bench_leads_multi').deleteMany({})
    await client.db().collection('bench_leads_single').deleteMany({})
    const tenantIds = Array.from({ length: TENANTS }, (_, t) => `tenant${String(t).padStart(3, '0')}`)
    const started = performance.now()
    console.log(`  seeding ${TENANTS * DOCS_PER_TENANT + DOCS_PER_TENANT} documents...`)
    await seed(client.db().collection('bench_leads_multi'), function* () {
      for (let i = 0; i < DOCS_PER_TENANT; i++) for (const tenantId of tenantIds) yield leadDoc(i, tenantId)
    })
    await seed(client.db().collection('bench_leads_single'), function* () {
      for (let i = 0; i < DOCS_PER_TENANT; i++) yield leadDoc(i)
    })
    await Promise.all([MultiTenant.syncIndexes(), SingleTenant.syncIndexes()])
    console.log(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`)

    const multiService = new MongooseService({ Model: MultiTenant as any, paginate: false })
    const singleService = new MongooseService({ Model: SingleTenant as any, paginate: false })
    const query: any = { status: 'open', $sort: { createdAt: -1 }, $limit: PAGE }
    const tenantId = tenantIds[7]
    const scope = { requestId: 'bench', tenantId, actor: { kind: 'system' as const, name: 'bench' } }

    const scopedVariants: OpVariant[] = [
      {
        key: 'scoped',
        label: `tenant-scoped adapter find (${TENANTS * DOCS_PER_TENANT} docs, 1 tenant)`,
        run: async () => {
          const rows = (await runInScope(scope, () => multiService.find({ query }))) as any[]
          expectPage(rows)
          if (rows[0].tenantId !== tenantId) throw new Error('tenant filter missing')
        }
      },
      {
        key: 'single',
        label: `adapter find on single-tenant collection (${DOCS_PER_TENANT} docs)`,
        run: async () => expectPage((await singleService.find({ query })) as any[])
      }
    ]
    const scoped = await compareOps(scopedVariants, settings, (m) => console.log(`  ${m}`))
    printOps('Tenant-scoped query vs single-tenant collection', scoped)
    console.log(
      `  multi-tenant:  ${await keysExamined(connection, 'bench_leads_multi', { tenantId, status: 'open' })}`
    )
    console.log(
      `  single-tenant: ${await keysExamined(connection, 'bench_leads_single', { status: 'open' })}`
    )
    printRatios(
      'throughput ratio (median ops/s):',
      computeRatios(
        scoped.map((r) => ({ key: r.key, value: r.medianOpsPerSecond })),
        [{ numerator: 'scoped', denominator: 'single', target: 0.9 }]
      )
    )
    printCpu(await cpuPerOp(scopedVariants, settings.rounds, settings.concurrency), [['scoped', 'single']])

    const driverCollection = client.db().collection('bench_leads_single')
    const leanVariants: OpVariant[] = [
      {
        key: 'mongoose',
        label: 'mongoose lean find',
        run: async () =>
          expectPage(
            await SingleTenant.find({ status: 'open' }).sort({ createdAt: -1 }).limit(PAGE).lean().exec()
          )
      },
      {
        key: 'adapter',
        label: 'adapter find (MongooseService, single-tenant model)',
        run: async () => expectPage((await singleService.find({ query })) as any[])
      },
      {
        key: 'driver',
        label: 'driver find',
        run: async () =>
          expectPage(
            await driverCollection.find({ status: 'open' }).sort({ createdAt: -1 }).limit(PAGE).toArray()
          )
      }
    ]
    const lean = await compareOps(leanVariants, settings, (m) => console.log(`  ${m}`))
    printOps('mongoose lean vs driver', lean)
    printRatios(
      'throughput ratio (median ops/s):',
      computeRatios(
        lean.map((r) => ({ key: r.key, value: r.medianOpsPerSecond })),
        [
          { numerator: 'mongoose', denominator: 'driver', target: 0.85 },
          { numerator: 'adapter', denominator: 'driver', target: 0.85 }
        ]
      )
    )
    printCpu(await cpuPerOp(leanVariants, settings.rounds, settings.concurrency), [
      ['mongoose', 'driver'],
      ['adapter', 'driver']
    ])
  } finally {
    await client
      .db()
      .dropDatabase()
      .catch(() => {})
    await client.close()
    await connection.close()
    await database.stop()
  }
}

await main()
