// Registration throughput: the full public endpoint (tenant resolution, rate limits, validation, the
// masterclass checked against the tenant's catalogue, atomic lead upsert, follow-up job enqueued in Redis,
// board notification) beside a bare Koa route doing the same validation (the catalogue from a map in
// memory) and one driver insertOne on the same unique index, interleaved in one run; plus p99 at a fixed
// arrival rate of half the bare route's throughput. 200 tenants, 5% repeated emails. Topology as deployed:
// the measured process is the API alone (jobs run in the worker process, core/src/worker.ts), the database
// comes from startBenchDatabase() (its own process by default), the load from a forked child process.
// Each round also reports CPU µs per request of the server and, when it is a child, the database process.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { Agent, createServer, request as httpRequest } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import Koa from 'koa'
import { koaBody } from 'koa-body'
import { Collection, MongoClient } from 'mongodb'
import pino from 'pino'
import { createApp } from '../core/src/app/create-app.ts'
import { startServer } from '../core/src/app/server.ts'
import type { Config } from '../core/src/config/config.ts'
import { runAsSystem } from '../core/src/context/request-scope.ts'
import { insertCoalescer } from '../core/src/data/insert-coalescer.ts'
import { EnqueueBatch } from '../core/src/jobs/enqueue-batch.ts'
import { rateLimitMiddleware } from '../core/src/rate-limit/rate-limit-middleware.ts'
import masterclassesPlugin from '../plugins/masterclasses/plugin.ts'
import { validateRegistration } from '../plugins/pipeline/domain/registration-input.ts'
import pipelinePlugin from '../plugins/pipeline/plugin.ts'
import { MasterclassCatalogue } from '../plugins/pipeline/services/masterclass-catalogue.ts'
import { startBenchDatabase } from './lib/bench-database.ts'
import { benchEncryptionKey, benchSettings } from './lib/bench-settings.ts'
import { median } from './lib/compare-variants.ts'
import { currentStamps, LatencyBreakdown, probe, SENT_HEADER, wallNow } from './lib/latency-breakdown.ts'
import { deleteKeysWithPrefix } from './lib/redis-cleanup.ts'

const TENANTS = Number(process.env.BENCH_TENANTS ?? 200)
/** Each fixed-rate round first sends this long at its rate, unmeasured (each round is a new load process). */
const FIXED_RATE_WARMUP_MS = 1000
const REPEAT_SHARE = 0.05
// Visitors arrive from many addresses through one load balancer (X-Forwarded-For, TRUST_PROXY=1): one client
// IP for every registration would be refused by the per-IP limit at these rates, and is not what a landing
// page sees. Each address stays well under the per-IP limit the bench tenants are configured with.
const VISITOR_ADDRESSES = 4096
const visitorAddress = () => {
  const n = Math.floor(Math.random() * VISITOR_ADDRESSES)
  return `10.20.${n >> 8}.${n & 255}`
}
/** BENCH_DIAGNOSE=1: each fixed-rate round also prints where its slow requests spent their time. */
const DIAGNOSE = process.env.BENCH_DIAGNOSE === '1'

interface Target {
  key: string
  label: string
  url: string
  /** Per request: the tenant reference sent in X-Tenant. */
  tenants: string[]
  /** The masterclass registered for, per tenant reference (one in each tenant's catalogue). */
  masterclassOf: Record<string, string>
}

interface LoadOrder {
  target: Target
  durationMs: number
  connections: number
  /** Open loop at this many requests per second instead of closed loop. */
  ratePerSecond?: number
  /** Load sent first and not measured (new connections, cold caches), before durationMs. */
  warmupMs?: number
  seed: string
  /** Send each request's wall-clock send time (latency-breakdown.ts) and report this process's loop delay. */
  diagnose?: boolean
}

interface LoadReport {
  /** Filled by the parent: CPU µs per answered request in the server and the database process. */
  serverCpuUs?: number
  databaseCpuUs?: number
  requests: number
  errors: number
  firstError?: string
  rps: number
  p50: number
  p99: number
  /** Diagnose mode: wall-clock start of the measured part, and the load process's own event-loop delay. */
  measuredFrom?: number
  clientDelay?: string
}

// --- load worker (child process) ------------------------------------------------------------------

async function runLoad(order: LoadOrder): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: order.connections })
  const url = new URL(order.target.url)
  const latencies: number[] = []
  const recent: { tenant: string; email: string }[] = []
  let counter = 0
  let errors = 0
  let firstError: string | undefined
  const next = () => {
    if (recent.length > 0 && Math.random() < REPEAT_SHARE)
      return recent[Math.floor(Math.random() * recent.length)]
    const tenant = order.target.tenants[Math.floor(Math.random() * order.target.tenants.length)]
    const email = `p${order.seed}-${counter++}@bench.example`
    const entry = { tenant, email }
    recent.push(entry)
    if (recent.length > 1000) recent.shift()
    return entry
  }
  let measuring = !order.warmupMs
  const clientDelay = order.diagnose ? monitorEventLoopDelay({ resolution: 2 }) : undefined
  clientDelay?.enable()
  const send = () =>
    new Promise<void>((resolve) => {
      const measured = measuring
      const { tenant, email } = next()
      const body = JSON.stringify({
        name: 'Bench Person',
        email,
        masterclassId: order.target.masterclassOf[tenant],
        consent: true,
        utmSource: 'bench',
        utmCampaign: 'load'
      })
      const started = performance.now()
      const req = httpRequest(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-tenant': tenant,
            'x-forwarded-for': visitorAddress(),
            ...(order.diagnose && { [SENT_HEADER]: String(wallNow()) })
          }
        },
        (res) => {
          res.resume()
          res.on('end', () => {
            if (res.statusCode === 201) {
              if (measured) latencies.push(performance.now() - started)
            } else {
              errors++
              firstError ??= `status ${res.statusCode}`
            }
            resolve()
          })
        }
      )
      req.on('error', (error) => {
        errors++
        firstError ??= error.message
        resolve()
      })
      req.end(body)
    })
  const warmupEnd = performance.now() + (order.warmupMs ?? 0)
  const started = warmupEnd
  const deadline = started + order.durationMs
  if (order.ratePerSecond) {
    // Open loop: arrivals on a fixed schedule whatever the server's pace (latency includes queueing). The
    // warm-up runs at the same rate, so the measured part starts in the steady state, not with a backlog
    // of the first requests opening their connections at once.
    const interval = 1000 / order.ratePerSecond
    const inFlight: Promise<void>[] = []
    for (let at = warmupEnd - (order.warmupMs ?? 0); at < deadline; at += interval) {
      const wait = at - performance.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      measuring = at >= warmupEnd
      inFlight.push(send())
    }
    await Promise.all(inFlight)
  } else {
    await Promise.all(
      Array.from({ length: order.connections }, async () => {
        while (performance.now() < deadline) await send()
      })
    )
  }
  const elapsed = performance.now() - started
  latencies.sort((a, b) => a - b)
  const pick = (q: number) => (latencies.length ? latencies[Math.floor((latencies.length - 1) * q)] : 0)
  agent.destroy()
  clientDelay?.disable()
  return {
    ...(clientDelay && {
      measuredFrom: performance.timeOrigin + started,
      clientDelay: `p99 ${(clientDelay.percentile(99) / 1e6).toFixed(1)} max ${(clientDelay.max / 1e6).toFixed(1)} ms`
    }),
    requests: latencies.length,
    errors,
    firstError,
    rps: (latencies.length / elapsed) * 1000,
    p50: pick(0.5),
    p99: pick(0.99)
  }
}

function loadInChild(order: LoadOrder): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--load-worker'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    let report: LoadReport | undefined
    child.once('message', (message) => (report = message as LoadReport))
    child.once('exit', (code) => (report ? resolve(report) : reject(new Error(`load worker exited ${code}`))))
    child.send(order)
  })
}

// --- CPU accounting ----------------------------------------------------------------------------------

/** The embedded engine's child process (startBenchDatabase's default), found among this process's children. */
function databasePid(): number | undefined {
  try {
    for (const task of readdirSync('/proc/self/task')) {
      for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('devdb/cli.ts')) return Number(pid)
      }
    }
  } catch {}
  return undefined
}

/** CPU milliseconds used so far by the server (this process) and the database process, if it is a child. */
function cpuMs(dbPid: number | undefined): { server: number; database?: number } {
  const usage = process.cpuUsage()
  const server = (usage.user + usage.system) / 1000
  if (dbPid === undefined) return { server }
  try {
    const fields = readFileSync(`/proc/${dbPid}/stat`, 'utf8').split(') ')[1].split(' ')
    // utime and stime (fields 14 and 15 of stat) in clock ticks of 10 ms.
    return { server, database: (Number(fields[11]) + Number(fields[12])) * 10 }
  } catch {
    return { server }
  }
}

// --- servers --------------------------------------------------------------------------------------

async function startBareRoute(
  mongoUri: string,
  tenantIds: Map<string, string>,
  openMasterclasses: Map<string, Set<string>>
) {
  const client = await MongoClient.connect(mongoUri, { maxPoolSize: 20 })
  const leads = client.db().collection('bare_leads')
  await leads.createIndex({ tenantId: 1, email: 1 }, { unique: true })
  const app = new Koa()
  app.use(koaBody({ jsonLimit: '1mb' }))
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/register') ctx.throw(404)
    const tenantId = tenantIds.get(String(ctx.get('x-tenant')))
    if (!tenantId) return ctx.throw(404, 'Unknown tenant')
    const result = validateRegistration(ctx.request.body)
    if (!result.ok || !openMasterclasses.get(tenantId)?.has(result.value.masterclassId)) {
      ctx.status = 400
      ctx.body = { errors: result.ok ? [{ path: 'masterclassId', message: 'is not open' }] : result.errors }
      return
    }
    const { honeypotFilled: _h, ...lead } = result.value
    try {
      await leads.insertOne({ tenantId, ...lead, status: 'NEW', createdAt: new Date() })
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error
    }
    ctx.status = 201
    ctx.body = { received: true, masterclassId: lead.masterclassId }
  })
  const server = createServer(app.callback())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    server,
    url: `http://127.0.0.1:${port}/register`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve))
      await client.db().dropDatabase()
      await client.close()
    }
  }
}

function benchConfig(mongoUri: string): Config {
  return {
    env: 'production',
    port: 0,
    host: '127.0.0.1',
    baseDomain: 'localhost',
    publicApiUrl: 'http://localhost',
    storefrontUrl: 'http://storefront.test',
    dashboardUrl: 'http://dashboard.test',
    mongoUri,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: `bench-reg-${randomBytes(3).toString('hex')}`,
    jwtSecret: randomBytes(32).toString('hex'),
    jwtExpiresIn: '1h',
    encryptionKey: benchEncryptionKey(mongoUri),
    logLevel: 'silent',
    // The follow-up job is enqueued by every registration; workers run in a worker process in production.
    runWorkersInProcess: false,
    bodyLimitBytes: 1024 * 1024,
    corsOrigins: [],
    email: { provider: 'outbox', from: 'bench@masterstage.test', outboxDir: '/tmp/ms-bench-outbox' },
    trustProxy: 1
  }
}

async function main(): Promise<void> {
  const settings = benchSettings()
  const db = await startBenchDatabase()
  const config = benchConfig(db.uriFor(`bench_registration_${randomBytes(3).toString('hex')}`))
  const app = await createApp({
    config,
    logger: pino({ level: 'silent' }),
    plugins: [masterclassesPlugin, pipelinePlugin],
    // One load generator is one IP: lift the platform's per-IP ceiling (the hit on Redis still happens).
    wiring: {
      rateLimitMiddleware: (a) =>
        rateLimitMiddleware(a, { name: 'http-ip', points: 1e9, durationSeconds: 60 })
    }
  })
  const server = await startServer(app, config)
  const agency = await (app as any).service('agencies').create({ slug: 'bench-agency', name: 'Bench' })
  const slugs: string[] = []
  const idsBySlug = new Map<string, string>()
  const masterclassOf: Record<string, string> = {}
  const openMasterclasses = new Map<string, Set<string>>()
  for (let i = 0; i < TENANTS; i++) {
    const tenant = await (app as any)
      .service('tenants')
      .create({ slug: `bench-${i}`, name: `Bench ${i}`, agencyId: agency._id })
    await (app as any).service('tenants').enablePlugin({ tenantId: tenant._id, plugin: 'masterclasses' })
    const masterclass = await runAsSystem('bench', String(tenant._id), () =>
      (app as any).service('masterclasses/masterclasses').create({
        title: `Bench class ${i}`,
        description: 'Live training',
        hostId: randomBytes(12).toString('hex'),
        startTime: new Date(Date.now() + 86_400_000).toISOString(),
        endTime: new Date(Date.now() + 90_000_000).toISOString(),
        price: { amount: 4_900, currency: 'USD' },
        maxAttendees: 100
      })
    )
    masterclassOf[tenant.slug] = String(masterclass._id)
    openMasterclasses.set(String(tenant._id), new Set([String(masterclass._id)]))
    await (app as any).service('tenants').enablePlugin({
      tenantId: tenant._id,
      plugin: 'pipeline',
      settings: { registrationLimits: { perIpPerMinute: 10_000, perTenantPerMinute: 1_000_000 } }
    })
    slugs.push(tenant.slug)
    idsBySlug.set(tenant.slug, String(tenant._id))
  }
  const bare = await startBareRoute(
    db.uriFor(`bench_registration_bare_${randomBytes(3).toString('hex')}`),
    idsBySlug,
    openMasterclasses
  )
  const breakdowns = new Map<string, LatencyBreakdown>()
  if (DIAGNOSE) {
    breakdowns.set('a', new LatencyBreakdown(bare.server))
    breakdowns.set('b', new LatencyBreakdown(server.server, Collection.prototype))
    ;(app as any).service('pipeline/registrations').hooks({
      around: {
        create: [
          async (_context: unknown, next: () => Promise<void>) => {
            const stamps = currentStamps()
            if (stamps) stamps.service = wallNow()
            await next()
            if (stamps) stamps.serviceEnd = wallNow()
          }
        ]
      }
    })
    probe(insertCoalescer, 'insert', 'insert', 'inserted')
    probe(EnqueueBatch.prototype, 'add', 'enqueue', 'enqueued')
    probe(MasterclassCatalogue.prototype, 'check', 'catalogueWait', 'catalogueDone', true)
  }
  const allTargets: Target[] = [
    {
      key: 'a',
      label: 'bare Koa: validation + driver insertOne (unique index)',
      url: bare.url,
      tenants: slugs,
      masterclassOf
    },
    {
      key: 'b',
      label: 'full endpoint POST /pipeline/registrations',
      url: `${server.url}/pipeline/registrations`,
      tenants: slugs,
      masterclassOf
    }
  ]
  // BENCH_PROFILE=b (or a) runs that variant's closed loop alone, for `node --cpu-prof`; no ratios.
  const only = process.env.BENCH_PROFILE
  const targets = only ? allTargets.filter((t) => t.key === only) : allTargets
  console.log(
    `registration: ${TENANTS} tenants, ${REPEAT_SHARE * 100}% repeated emails, ${settings.rounds} rounds x ${settings.durationMs} ms, ${settings.connections} connections (engine: ${db.engine})`
  )
  try {
    let seed = 0
    for (const target of targets) {
      await loadInChild({
        target,
        durationMs: settings.warmupMs,
        connections: settings.connections,
        seed: `w${seed++}`
      })
    }
    const closed = new Map<string, LoadReport[]>(targets.map((t) => [t.key, []]))
    const dbPid = databasePid()
    for (let round = 0; round < settings.rounds; round++) {
      for (const target of round % 2 ? [...targets].reverse() : targets) {
        const before = cpuMs(dbPid)
        const report = await loadInChild({
          target,
          durationMs: settings.durationMs,
          connections: settings.connections,
          seed: `r${seed++}`
        })
        const after = cpuMs(dbPid)
        if (report.errors > 0)
          throw new Error(`${target.label}: ${report.errors} errors (${report.firstError})`)
        report.serverCpuUs = ((after.server - before.server) * 1000) / report.requests
        if (after.database !== undefined && before.database !== undefined)
          report.databaseCpuUs = ((after.database - before.database) * 1000) / report.requests
        closed.get(target.key)!.push(report)
        const database =
          report.databaseCpuUs === undefined ? '' : `, database ${Math.round(report.databaseCpuUs)}`
        console.log(
          `  round ${round + 1} ${target.label}: ${Math.round(report.rps)} req/s (CPU µs/request: server ${Math.round(report.serverCpuUs)}${database})`
        )
      }
    }
    const rps = (key: string) => median(closed.get(key)!.map((r) => r.rps))
    if (only) return
    console.log('\nclosed loop (median of rounds)')
    for (const target of targets) {
      const reports = closed.get(target.key)!
      const databaseCpu =
        reports[0].databaseCpuUs === undefined
          ? ''
          : ` / ${Math.round(median(reports.map((r) => r.databaseCpuUs!)))}`
      console.log(
        `  (${target.key}) ${target.label.padEnd(58)} ${Math.round(rps(target.key)).toString().padStart(6)} req/s  p50 ${median(reports.map((r) => r.p50)).toFixed(1)} ms  p99 ${median(reports.map((r) => r.p99)).toFixed(1)} ms  CPU µs/req server${databaseCpu ? ' / database' : ''} ${Math.round(median(reports.map((r) => r.serverCpuUs!)))}${databaseCpu}`
      )
    }
    const ratio = rps('b') / rps('a')
    console.log(
      `  throughput b/a = ${ratio.toFixed(2)} (target >= 0.60: ${ratio >= 0.6 ? 'met' : 'NOT met'})`
    )

    // Fixed arrival rate: half of the bare route's closed-loop throughput (issue #5's p99 aim); an endpoint
    // below that capacity queues, which is what the aim is meant to show.
    const rate = Math.max(10, Math.round(rps('a') * 0.5))
    const fixed = new Map<string, number[]>(targets.map((t) => [t.key, []]))
    for (let round = 0; round < settings.rounds; round++) {
      for (const target of round % 2 ? [...targets].reverse() : targets) {
        breakdowns.get(target.key)?.begin()
        const report = await loadInChild({
          target,
          durationMs: settings.durationMs,
          connections: 256,
          ratePerSecond: rate,
          warmupMs: FIXED_RATE_WARMUP_MS,
          seed: `f${seed++}`,
          diagnose: DIAGNOSE
        })
        const breakdown = breakdowns.get(target.key)
        if (breakdown) {
          console.log(
            `  fixed round ${round + 1} (${target.key}): p99 ${report.p99.toFixed(1)} ms, load process loop delay ${report.clientDelay}`
          )
          for (const line of breakdown.end(target.key, report.measuredFrom!)) console.log(line)
        }
        if (report.errors > 0)
          throw new Error(`${target.label}: ${report.errors} errors (${report.firstError})`)
        fixed.get(target.key)!.push(report.p99)
        console.log(
          `  fixed round ${round + 1} ${target.label}: p50 ${report.p50.toFixed(1)} ms, p99 ${report.p99.toFixed(1)} ms`
        )
      }
    }
    const p99 = (key: string) => median(fixed.get(key)!)
    console.log(`\nfixed rate ${rate} req/s (median p99 of rounds)`)
    for (const target of targets)
      console.log(`  (${target.key}) ${target.label.padEnd(58)} p99 ${p99(target.key).toFixed(1)} ms`)
    const p99Ratio = p99('b') / p99('a')
    console.log(`  p99 b/a = ${p99Ratio.toFixed(2)} (target <= 1.5: ${p99Ratio <= 1.5 ? 'met' : 'NOT met'})`)
  } finally {
    await bare.close()
    await app
      .get('mongoose')
      .dropDatabase()
      .catch(() => undefined)
    await server.close()
    await deleteKeysWithPrefix(config.redisUrl, config.queuePrefix)
    await db.stop()
  }
}

if (process.argv.includes('--load-worker')) {
  process.once('message', (order: LoadOrder) => {
    runLoad(order).then(
      (report) => process.send!(report, () => process.exit(0)),
      (error) => {
        console.error(error)
        process.exit(1)
      }
    )
  })
} else {
  await main()
}
