// Pipeline metrics for one big tenant (default 100k leads, 1M history entries, beside a second tenant a
// tenth of its size): the metrics service (rollups aggregated in MongoDB, services/metrics-service.ts) vs
// loading the tenant's documents and reducing them in JavaScript, in one run, with both answers checked
// equal (medians within the histogram's documented bound). Seeded with bulk driver inserts, then the
// rollups are built by the rebuild (services/rollup-rebuild.ts), as for imported data.
import { randomBytes } from 'node:crypto'
import mongoose from 'mongoose'
import { runAsSystem } from '../core/src/context/request-scope.ts'
import { tenantScopedPlugin } from '../core/src/data/tenant-scoped-plugin.ts'
import { startDatabase } from '../core/src/devdb/harness.ts'
import { LEAD_STATUSES } from '../plugins/pipeline/contract.ts'
import { MEDIAN_RELATIVE_ERROR } from '../plugins/pipeline/domain/time-histogram.ts'
import { FUNNEL } from '../plugins/pipeline/domain/transition-table.ts'
import { leadHistorySchema } from '../plugins/pipeline/models/lead-history-model.ts'
import { leadSchema } from '../plugins/pipeline/models/lead-model.ts'
import { metricsRollupSchema } from '../plugins/pipeline/models/metrics-rollup-model.ts'
import type { PipelineModels } from '../plugins/pipeline/models/pipeline-models.ts'
import { revenueEntrySchema } from '../plugins/pipeline/models/revenue-entry-model.ts'
import { MetricsService } from '../plugins/pipeline/services/metrics-service.ts'
import { rebuildRollups } from '../plugins/pipeline/services/rollup-rebuild.ts'
import { median } from './lib/compare-variants.ts'

const LEADS = Number(process.env.BENCH_LEADS ?? 100_000)
const HISTORY = Number(process.env.BENCH_HISTORY ?? 1_000_000)
/** The other tenant only has to exist (isolation): a tenth of the size keeps seeding under ten minutes. */
const OTHER_SHARE = Number(process.env.BENCH_OTHER_SHARE ?? 0.1)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const TENANT = 'bench-tenant-a'
const OTHER = 'bench-tenant-b'
const SOURCES = ['ig', 'tiktok', 'youtube', 'newsletter', 'podcast']
const START = Date.UTC(2026, 0, 1)
const SPAN = 90 * 24 * 3600_000

function* leadDocs(tenantId: string, leads: number) {
  for (let i = 0; i < leads; i++) {
    const rank = [0, 0, 0, 1, 1, 2, 2, 3, 4, 5][i % 10]
    const lost = i % 13 === 0
    yield {
      tenantId,
      email: `lead-${i}@bench.example`,
      name: `Lead ${i}`,
      masterclassId: `mc-${i % 7}`,
      masterclassIds: [`mc-${i % 7}`],
      source: { utmSource: SOURCES[i % SOURCES.length] },
      status: lost ? 'LOST' : FUNNEL[rank],
      funnelRank: rank,
      stageEnteredAt: new Date(START + (i % 1000) * 3600_000),
      assignedToId: `rep-${i % 12}`,
      tags: [],
      notes: [],
      paidMinor: rank >= 2 ? 4900 : 0,
      registrations: 1,
      createdAt: new Date(START + ((i * 7919) % SPAN)),
      updatedAt: new Date(START)
    }
  }
}

function* historyDocs(tenantId: string, entries: number) {
  for (let i = 0; i < entries; i++) {
    const from = FUNNEL[i % 5]
    // The entry carries its lead's dimensions, as the tracker writes them.
    const lead = i % LEADS
    yield {
      tenantId,
      leadId: `lead-${lead}`,
      from,
      to: FUNNEL[(i % 5) + 1],
      at: new Date(START + ((i * 104_729) % SPAN)),
      durationMs: ((i * 2_654_435_761) % 500_000_000) + 1000,
      trigger: 'event:bench',
      actor: { kind: 'system', name: 'bench' },
      causeId: `c-${i}`,
      masterclassId: `mc-${lead % 7}`,
      utmSource: SOURCES[lead % SOURCES.length],
      assignedToId: `rep-${lead % 12}`
    }
  }
}

function* revenueDocs(tenantId: string, payments: number) {
  for (let i = 0; i < payments; i++) {
    yield {
      tenantId,
      key: `payment:${i}`,
      leadId: `lead-${i}`,
      amountMinor: i % 17 === 0 ? -4900 : 4900,
      currency: i % 5 === 0 ? 'USD' : 'EUR',
      at: new Date(START + ((i * 15_485_863) % SPAN)),
      masterclassId: `mc-${i % 7}`,
      utmSource: SOURCES[i % SOURCES.length],
      assignedToId: `rep-${i % 12}`
    }
  }
}

async function seed(label: string, total: number, collection: any, docs: Iterable<object>): Promise<void> {
  let batch: object[] = []
  let done = 0
  const flush = async () => {
    await collection.insertMany(batch, { ordered: false })
    done += batch.length
    batch = []
    if (done % 100_000 === 0 || done === total)
      process.stdout.write(`\r  seeding ${label}: ${done}/${total}   `)
  }
  for (const doc of docs) {
    batch.push(doc)
    if (batch.length === 5000) await flush()
  }
  if (batch.length) await flush()
  process.stdout.write('\n')
}

/**
 * The baseline: every document of the tenant loaded (lean, streamed in batches: one 1M-document answer
 * made the embedded engine drop the connection) and reduced in JavaScript.
 */
async function loadAndReduce(models: PipelineModels, from: Date, to: Date) {
  const load = async (model: any, fields: Record<string, 1>) => {
    const docs: any[] = []
    for await (const doc of model.find({}, fields).lean().cursor({ batchSize: 5000 })) docs.push(doc)
    return docs
  }
  const [leads, history, revenue] = await Promise.all([
    load(models.Lead, { funnelRank: 1, status: 1, createdAt: 1 }),
    load(models.History, { from: 1, at: 1, durationMs: 1 }),
    load(models.Revenue, { amountMinor: 1, currency: 1, at: 1 })
  ])
  const inPeriod = (date: Date) => date >= from && date < to
  const reached = Object.fromEntries(FUNNEL.map((s) => [s, 0])) as Record<string, number>
  const byStatus = Object.fromEntries(LEAD_STATUSES.map((s) => [s, 0])) as Record<string, number>
  for (const lead of leads as any[]) {
    if (!inPeriod(lead.createdAt)) continue
    FUNNEL.forEach((status, rank) => {
      if (lead.funnelRank >= rank) reached[status]++
    })
    byStatus[lead.status]++
  }
  const revenueMinor: Record<string, number> = {}
  for (const entry of revenue as any[]) {
    if (inPeriod(entry.at))
      revenueMinor[entry.currency] = (revenueMinor[entry.currency] ?? 0) + entry.amountMinor
  }
  const durations = new Map<string, number[]>()
  for (const entry of history as any[]) {
    if (!entry.from || !inPeriod(entry.at)) continue
    const list = durations.get(entry.from) ?? []
    list.push(entry.durationMs)
    durations.set(entry.from, list)
  }
  const timeInStage = [...durations].map(([status, list]) => {
    list.sort((a, b) => a - b)
    return {
      status,
      count: list.length,
      avgMs: Math.round(list.reduce((a, b) => a + b, 0) / list.length),
      medianMs: list[Math.ceil(list.length / 2) - 1]
    }
  })
  return { reached, byStatus, revenueMinor, timeInStage }
}

async function main(): Promise<void> {
  // MONGODB_URI: a database in another process (a real mongod, or `npm run devdb -- --port N`), so the
  // engine's heap and garbage collection stay out of the measuring process; else the in-process harness.
  const external = process.env.MONGODB_URI
  const db = external
    ? { uri: external, engine: 'external', stop: async () => {} }
    : await startDatabase({ logger: { info() {}, warn() {}, error() {}, debug() {} } as any })
  const base = db.uri.replace(/\/[^/?]*(\?.*)?$/, '/')
  // The platform's connection settings, with timeouts that survive the in-process engine's long pauses
  // (garbage collection of a 2.2M-document heap): a 10 s monitor timeout aborted seeding midway.
  const connection = await mongoose
    .createConnection(`${base}bench_metrics_${randomBytes(3).toString('hex')}`, {
      sanitizeFilter: true,
      serverSelectionTimeoutMS: 600_000,
      connectTimeoutMS: 600_000,
      socketTimeoutMS: 0,
      heartbeatFrequencyMS: 60_000
    })
    .asPromise()
  for (const schema of [leadSchema, leadHistorySchema, revenueEntrySchema, metricsRollupSchema])
    schema.plugin(tenantScopedPlugin)
  const models: PipelineModels = {
    Lead: connection.model('pipeline.lead', leadSchema as any, 'pipeline_lead') as any,
    History: connection.model(
      'pipeline.lead-history',
      leadHistorySchema as any,
      'pipeline_lead_history'
    ) as any,
    Revenue: connection.model(
      'pipeline.revenue-entry',
      revenueEntrySchema as any,
      'pipeline_revenue_entry'
    ) as any,
    Rollup: connection.model(
      'pipeline.metrics-rollup',
      metricsRollupSchema as any,
      'pipeline_metrics_rollup'
    ) as any
  }
  await Promise.all(Object.values(models).map((model) => model.init()))
  console.log(
    `pipeline-metrics: ${LEADS} leads, ${HISTORY} history entries in the measured tenant, another tenant at ${OTHER_SHARE * 100}% of that (engine: ${db.engine})`
  )
  const seeded = performance.now()
  for (const [tenantId, share] of [
    [TENANT, 1],
    [OTHER, OTHER_SHARE]
  ] as const) {
    const leads = Math.round(LEADS * share)
    const entries = Math.round(HISTORY * share)
    await seed(`${tenantId} leads`, leads, models.Lead.collection, leadDocs(tenantId, leads))
    await seed(`${tenantId} history`, entries, models.History.collection, historyDocs(tenantId, entries))
    await seed(`${tenantId} revenue`, leads / 2, models.Revenue.collection, revenueDocs(tenantId, leads / 2))
  }
  console.log(`  seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`)
  for (const tenantId of [TENANT, OTHER]) {
    const rebuilt = performance.now()
    const result = await runAsSystem('bench', tenantId, () =>
      rebuildRollups(models, ({ phase, done, total }) => {
        if (done % 100_000 === 0 || done === total)
          process.stdout.write(`\r  rebuilding ${tenantId} rollups: ${phase} ${done}/${total}      `)
      })
    )
    console.log(
      `\n  ${tenantId}: ${result.rollups} rollup documents in ${((performance.now() - rebuilt) / 1000).toFixed(1)} s`
    )
  }
  const service = new MetricsService(models)
  const from = new Date(START)
  const to = new Date(START + SPAN)
  const query = { from: from.toISOString(), to: to.toISOString() }
  const asTenant = <T>(fn: () => Promise<T>) => runAsSystem('bench', TENANT, fn)
  try {
    // Same figures both ways, or the comparison means nothing.
    const aggregated = await asTenant(() => service.find({ query }))
    const reduced = await asTenant(() => loadAndReduce(models, from, to))
    const same =
      JSON.stringify(aggregated.totals.reached) === JSON.stringify(reduced.reached) &&
      JSON.stringify(aggregated.byStatus) === JSON.stringify(reduced.byStatus) &&
      JSON.stringify(Object.entries(aggregated.totals.revenueMinor).sort()) ===
        JSON.stringify(Object.entries(reduced.revenueMinor).sort())
    if (!same) throw new Error('aggregation and load-and-reduce disagree')
    for (const exact of reduced.timeInStage) {
      const stage = aggregated.timeInStage.find((s) => s.status === exact.status)
      const medianOff = Math.abs((stage?.medianMs ?? 0) - exact.medianMs) / exact.medianMs
      if (stage?.count !== exact.count || stage.avgMs !== exact.avgMs || medianOff > MEDIAN_RELATIVE_ERROR)
        throw new Error(`time in stage ${exact.status} disagrees: ${JSON.stringify({ stage, exact })}`)
    }
    console.log(`  answers agree (median method: ${aggregated.medianMethod})`)
    const timings = { aggregate: [] as number[], reduce: [] as number[] }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? (['reduce', 'aggregate'] as const) : (['aggregate', 'reduce'] as const)
      for (const variant of order) {
        const started = performance.now()
        if (variant === 'aggregate') await asTenant(() => service.find({ query }))
        else await asTenant(() => loadAndReduce(models, from, to))
        timings[variant].push(performance.now() - started)
      }
      console.log(
        `  round ${round + 1}: aggregation ${timings.aggregate.at(-1)!.toFixed(0)} ms, load-and-reduce ${timings.reduce.at(-1)!.toFixed(0)} ms`
      )
    }
    const agg = median(timings.aggregate)
    const red = median(timings.reduce)
    console.log(
      `\n  (a) metrics service (aggregation pipelines)   median ${agg.toFixed(0)} ms (target < 300 ms: ${agg < 300 ? 'met' : 'NOT met'})`
    )
    console.log(`  (b) load leads + history and reduce in JS      median ${red.toFixed(0)} ms`)
    console.log(
      `  speed-up b/a = ${(red / agg).toFixed(1)}x (target >= 5x: ${red / agg >= 5 ? 'met' : 'NOT met'})`
    )
  } finally {
    await connection.dropDatabase().catch(() => undefined)
    await connection.close()
    await db.stop()
  }
}

await main()
