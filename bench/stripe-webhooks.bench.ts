// Webhook throughput: signed Stripe events (~3 KB, 10% duplicate ids, 1% bad signatures) processed end
// to end by the payments plugin (raw body, verify, store under the unique event id, queue, update the
// payment, emit payment.succeeded) beside a bare Koa route doing HMAC verification and one driver
// insertOne, same run, same database. Reports events/s of each, the ratio (aim ≥ 0.70), duplicate
// effects (must be 0) and refused bad signatures (must be all), and the server process's CPU per event for
// each and of the database engine's own process. The client runs in a child process. Both sides are warmed
// up (BENCH_WEBHOOK_WARMUP_EVENTS, 1,000), then BENCH_ROUNDS (3) rounds of BENCH_WEBHOOK_EVENTS (3,000)
// run interleaved (bare first, then platform first, ...) and the median of the rounds' ratios is reported.
// The receipt emails a platform run causes (downstream subscribers of payment.succeeded, worker processes in
// production) are held while the run is measured, then drained and reported on their own and as
// `ratioWithReceipts`. `ratio` is the processing path alone on a database the receipts do not load meanwhile
// (an upper bound for a deployment whose workers share that database); `ratioWithReceipts` adds the
// receipts' time after the run, without overlap (a lower bound). Neither is comparable with the hybrid
// figure reported until session 6, which let receipts run unwaited during the window.
// BENCH_CPU_PROFILE=<file.cpuprofile> writes a CPU profile of the measured rounds.
import { fork } from 'node:child_process'
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { Agent, createServer, request } from 'node:http'
import { Session } from 'node:inspector/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import Koa from 'koa'
import { MongoClient } from 'mongodb'
import pino from 'pino'
import Stripe from 'stripe'
import { createApp } from '../core/src/app/create-app.ts'
import type { Config } from '../core/src/config/config.ts'
import { runAsSystem } from '../core/src/context/request-scope.ts'
import { EVENT_DELIVERY_QUEUE } from '../core/src/events/durable-event-bus.ts'
import type { QueueFactory } from '../core/src/jobs/queue-factory.ts'
import { createPaymentsPlugin } from '../plugins/payments/plugin.ts'
import type { PaymentsRuntime } from '../plugins/payments/runtime.ts'
import { startBenchDatabase } from './lib/bench-database.ts'
import { benchEncryptionKey } from './lib/bench-settings.ts'
import { median } from './lib/compare-variants.ts'
import { deleteKeysWithPrefix } from './lib/redis-cleanup.ts'

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 3000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const WARMUP_EVENTS = Number(process.env.BENCH_WEBHOOK_WARMUP_EVENTS ?? 1000)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const SECRET = 'whsec_bench'
const SENDER_FLAG = '--webhook-sender'
const signer = new Stripe('sk_test_bench')

interface Delivery {
  body: string
  signature: string
  bad: boolean
}

function buildDeliveries(
  account: string,
  paymentIds: string[],
  count: number
): { deliveries: Delivery[]; uniqueGood: number } {
  const deliveries: Delivery[] = []
  const sent: Delivery[] = []
  let uniqueGood = 0
  const padding = 'x'.repeat(2600)
  for (let index = 0; index < count; index++) {
    if (sent.length > 0 && Math.random() < 0.1) {
      deliveries.push(sent[Math.floor(Math.random() * sent.length)])
      continue
    }
    const paymentId = paymentIds[uniqueGood % paymentIds.length]
    const body = JSON.stringify({
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      account,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `pi_${paymentId}`,
          object: 'payment_intent',
          amount: 1000,
          amount_received: 1000,
          metadata: { paymentId, note: padding }
        }
      }
    })
    const bad = Math.random() < 0.01
    const signature = bad
      ? signer.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_wrong' })
      : signer.webhooks.generateTestHeaderString({ payload: body, secret: SECRET })
    const delivery = { body, signature, bad }
    deliveries.push(delivery)
    if (!bad) {
      sent.push(delivery)
      uniqueGood++
    }
  }
  return { deliveries, uniqueGood }
}

/** Runs the deliveries from a child process (like the other benches' load generator), so the client's CPU
 * stays out of the measured server process for the platform and the bare route alike. */
function send(url: string, deliveries: Delivery[]): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [SENDER_FLAG], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    let result: SendResult | undefined
    child.once('message', (message) => {
      result = message as SendResult
    })
    child.once('error', reject)
    child.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`webhook sender exited with ${code} before reporting`))
    )
    child.send({ url, deliveries })
  })
}

/** The CPU (µs) used so far by the database engine when it runs as this process's child (Linux), else 0. */
function engineCpuUs(): number {
  try {
    const children = readdirSync(`/proc/${process.pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)
    )
    const engine = children.find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('devdb/cli.ts')
    )
    if (!engine) return 0
    // utime and stime, in clock ticks (100 per second), after the parenthesised command name.
    const fields = readFileSync(`/proc/${engine}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return 0
  }
}

/** `send` with the CPU this process spent meanwhile (server, plus its trailing work for the platform). */
async function measured(
  url: string,
  deliveries: Delivery[]
): Promise<SendResult & { cpuUs: number; engineUs: number }> {
  const before = process.cpuUsage()
  const engineBefore = engineCpuUs()
  const result = await send(url, deliveries)
  const used = process.cpuUsage(before)
  return { ...result, cpuUs: used.user + used.system, engineUs: engineCpuUs() - engineBefore }
}

/** Starts a CPU profile of this process when BENCH_CPU_PROFILE names a file; the returned stop writes it. */
async function startProfile(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_CPU_PROFILE
  if (!file) return async () => {}
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    await writeFile(file, JSON.stringify(profile))
    session.disconnect()
  }
}

interface SendResult {
  /** When the first delivery went out, in epoch milliseconds (comparable across processes). */
  startedAt: number
  ms: number
  refused: number
  badSent: number
  errors: number
}

async function sendHere(url: string, deliveries: Delivery[]): Promise<SendResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  const target = new URL(url)
  let next = 0
  let refused = 0
  let errors = 0
  const started = performance.now()
  const startedAt = performance.timeOrigin + started
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++]
        const status = await new Promise<number>((resolve) => {
          const req = request(
            {
              agent,
              host: target.hostname,
              port: target.port,
              path: target.pathname,
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'stripe-signature': delivery.signature,
                'content-length': Buffer.byteLength(delivery.body)
              }
            },
            (res) => {
              res.resume()
              res.on('end', () => resolve(res.statusCode ?? 0))
            }
          )
          req.on('error', () => resolve(0))
          req.end(delivery.body)
        })
        if (status === 400 && delivery.bad) refused++
        else if (status !== 200) errors++
      }
    })
  )
  agent.destroy()
  return {
    startedAt,
    ms: performance.now() - started,
    refused,
    errors,
    badSent: deliveries.filter((d) => d.bad).length
  }
}

/**
 * Counts the emails the app's provider has written (first sends, not duplicates), without touching the
 * outbox folder: listing a folder of thousands of files every 100 ms cost as much CPU as a receipt.
 */
function countSentEmails(provider: {
  send: (message: any) => Promise<{ duplicate: boolean }>
}): () => number {
  let sent = 0
  const send = provider.send.bind(provider)
  provider.send = async (message) => {
    const result = await send(message)
    if (!result.duplicate) sent++
    return result
  }
  return () => sent
}

/** Waits until `sent()` reaches `count` (one receipt per payment that succeeded so far). */
async function receiptsDrained(sent: () => number, count: number): Promise<void> {
  const deadline = performance.now() + Number(process.env.BENCH_TIMEOUT_MS ?? 600_000)
  while (sent() < count) {
    if (performance.now() > deadline) throw new Error(`receipts did not drain: ${sent()} of ${count}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A port free now (a random one collided with the sender's and driver's ephemeral ports). */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** The baseline: what any webhook endpoint must do at minimum, with nothing of the platform. */
async function startBare(mongoUri: string): Promise<{ url: string; close(): Promise<void> }> {
  const client = await new MongoClient(mongoUri).connect()
  const collection = client
    .db(`bench_bare_${randomBytes(3).toString('hex')}`)
    .collection<{ _id: string; payload: string }>('events')
  const app = new Koa()
  app.use(async (ctx) => {
    const chunks: Buffer[] = []
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    const header = String(ctx.get('stripe-signature'))
    const timestamp = /t=(\d+)/.exec(header)?.[1]
    const given = /v1=([0-9a-f]+)/.exec(header)?.[1]
    const expected = createHmac('sha256', SECRET)
      .update(`${timestamp}.${raw.toString('utf8')}`)
      .digest('hex')
    if (
      !timestamp ||
      !given ||
      given.length !== expected.length ||
      !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
    ) {
      ctx.status = 400
      ctx.body = { error: 'bad signature' }
      return
    }
    const event = JSON.parse(raw.toString('utf8'))
    try {
      await collection.insertOne({ _id: event.id, payload: raw.toString('utf8') })
    } catch (error) {
      if ((error as any)?.code !== 11000) throw error
    }
    ctx.body = { received: true }
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    async close() {
      server.close()
      await client.close()
    }
  }
}

async function main() {
  const db = await startBenchDatabase()
  const mongoUri = db.uriFor(`bench_webhooks_${randomBytes(3).toString('hex')}`)
  const port = await freePort()
  const config: Config = {
    env: 'test',
    port,
    host: '127.0.0.1',
    baseDomain: 'localhost',
    publicApiUrl: `http://127.0.0.1:${port}`,
    storefrontUrl: 'http://storefront.bench',
    dashboardUrl: 'http://dashboard.bench',
    mongoUri,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: `bench-webhooks-${randomBytes(3).toString('hex')}`,
    jwtSecret: randomBytes(32).toString('hex'),
    jwtExpiresIn: '1h',
    encryptionKey: benchEncryptionKey(mongoUri),
    logLevel: 'silent',
    runWorkersInProcess: true,
    bodyLimitBytes: 1024 * 1024,
    corsOrigins: [],
    email: {
      provider: 'outbox',
      from: 'bench@masterstage.test',
      outboxDir: `/tmp/bench-outbox-${process.pid}`
    },
    trustProxy: false
  }
  let runtime: PaymentsRuntime | undefined
  const plugin = createPaymentsPlugin({
    platform: {
      provider: 'stripe',
      stripe: {
        secretKey: 'sk_test_bench',
        webhookSecrets: [SECRET],
        api: { host: '127.0.0.1', port: 9, protocol: 'http' }
      },
      reconcileLookbackSeconds: 60
    },
    onRuntime: (built) => (runtime = built)
  })
  const app = await createApp({ config, logger: pino({ level: 'silent' }), plugins: [plugin] })
  await app.listen(port, '127.0.0.1')
  const agency = await (app as any)
    .service('agencies')
    .create({ slug: `bench-${randomBytes(3).toString('hex')}`, name: 'Bench' })
  const tenant = await (app as any)
    .service('tenants')
    .create({ slug: `bench-${randomBytes(3).toString('hex')}`, name: 'Bench', agencyId: agency._id })
  await (app as any)
    .service('tenants')
    .enablePlugin({ tenantId: tenant._id, plugin: 'payments', settings: {} })
  const tenantId = String(tenant._id)
  const account = 'acct_bench'
  // Every run pays its own pending payments: the warm-up's, then each round's.
  const paymentIds = Array.from({ length: WARMUP_EVENTS + ROUNDS * EVENTS }, () => randomUUID())
  await runAsSystem('bench', tenantId, async () => {
    const r = runtime!
    await r.models.routes.create({
      _id: r.accountHash(account),
      tenantId,
      provider: 'stripe',
      createdAt: new Date()
    })
    await r.models.invoices.insertMany(
      paymentIds.map((paymentId, index) => ({
        _id: `inv-${paymentId}`,
        number: `B-${index}`,
        series: 'B',
        sequence: index,
        status: 'open',
        dedupeKey: `bench:${index}`,
        customer: { name: 'Bench', email: 'bench@example.com' },
        lineItems: [{ description: 'x', quantity: 1, unitAmountMinor: 1000, amountMinor: 1000 }],
        currency: 'usd',
        subtotalMinor: 1000,
        totalMinor: 1000,
        amountPaidMinor: 0,
        amountRefundedMinor: 0,
        issuer: { legalName: 'Bench', address: '-' },
        brand: { name: 'Bench', primaryColor: '#000000' },
        payToken: 't',
        disputed: false,
        issuedAt: new Date(),
        dueAt: new Date(),
        documentVersion: 1
      }))
    )
    await r.models.payments.insertMany(
      paymentIds.map((paymentId, index) => ({
        _id: paymentId,
        invoiceId: `inv-${paymentId}`,
        attempt: 1,
        idempotencyKey: `bench:${index}`,
        provider: 'stripe',
        status: 'pending',
        amountMinor: 1000,
        applicationFeeMinor: 50,
        currency: 'usd',
        amountRefundedMinor: 0
      }))
    )
  })
  const bare = await startBare(mongoUri)
  const r = runtime!
  const platformUrl = `http://127.0.0.1:${port}/webhooks/payments/stripe`
  let processedSoFar = 0

  const sentEmails = countSentEmails(app.get('email') as any)
  // The event deliveries' queue (receipt emails): held while a run is measured, see platformRun.
  const deliveryQueue = (app.get('queues') as QueueFactory).queue(EVENT_DELIVERY_QUEUE)

  /** One platform run, end to end as the issue defines it: until every unique good event of it is processed
   * (raw body, verified, stored under its id, payment and invoice updated, payment.succeeded emitted into the
   * outbox, the event marked processed, all in one transaction). The relay then puts the events' deliveries
   * into Redis (a pass per poll); the passes after the last commit fall into the receipts' time. The receipt emails those events cause
   * are downstream subscribers (worker processes in production): their deliveries are held while the run is
   * measured and then drained and timed on their own (receiptsMs, receiptsCpuUs), so every run accounts for
   * exactly its own receipts. (Until session 7 they ran meanwhile without being waited for: the share of them
   * that fell inside the window varied, and receipts made faster lowered the ratio.) */
  async function platformRun(deliveries: Delivery[], uniqueGood: number) {
    await deliveryQueue.pause(true)
    const cpu = process.cpuUsage()
    const engine = engineCpuUs()
    const sent = await send(platformUrl, deliveries)
    // From the first delivery (the sender's own start-up is not the platform's time).
    const started = sent.startedAt - performance.timeOrigin
    // An event answered other than 200 (or 400 for a bad signature) was not stored: waiting would never end.
    if (sent.errors > 0) throw new Error(`${sent.errors} deliveries were not accepted`)
    processedSoFar += uniqueGood
    // Every event of the run is stored before its 200 (send() has returned): the run is processed once none
    // waits any more. Counted on the waiting ones (a short index range): a count of all processed events
    // grows with every round and, every 20 ms, loaded the engine measured in the window.
    while ((await r.models.webhookEvents.countDocuments({ state: 'received' })) > 0) {
      if (performance.now() - started > Number(process.env.BENCH_TIMEOUT_MS ?? 600_000)) {
        const states = await r.models.webhookEvents.aggregate([{ $group: { _id: '$state', n: { $sum: 1 } } }])
        const failed = await r.models.webhookEvents.findOne({ state: 'failed' }).lean()
        throw new Error(
          `processing did not finish in time: ${JSON.stringify(states)} ${failed ? `e.g. ${failed.reason}` : ''}`
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const processed = await r.models.webhookEvents.countDocuments({ state: 'processed' })
    if (processed < processedSoFar)
      throw new Error(`${processed} events processed, ${processedSoFar} expected`)
    const ms = performance.now() - started
    const used = process.cpuUsage(cpu)
    const engineUs = engineCpuUs() - engine
    const receiptsCpu = process.cpuUsage()
    const receiptsEngine = engineCpuUs()
    const receiptsStarted = performance.now()
    await deliveryQueue.resume(true)
    await receiptsDrained(sentEmails, processedSoFar)
    // Until their deliveries are recorded complete too, not only sent.
    while (true) {
      const counts = await deliveryQueue.getJobCounts()
      if (counts.active + counts.waiting + counts.delayed === 0) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const receiptsMs = performance.now() - receiptsStarted
    const receiptsUsed = process.cpuUsage(receiptsCpu)
    return {
      ...sent,
      acceptedMs: sent.ms,
      ms,
      cpuUs: used.user + used.system,
      engineUs,
      receiptsMs,
      receiptsCpuUs: receiptsUsed.user + receiptsUsed.system,
      receiptsEngineUs: engineCpuUs() - receiptsEngine
    }
  }

  const warmup = buildDeliveries(account, paymentIds.slice(0, WARMUP_EVENTS), WARMUP_EVENTS)
  await measured(bare.url, buildDeliveries(account, paymentIds, WARMUP_EVENTS).deliveries)
  await platformRun(warmup.deliveries, warmup.uniqueGood)

  // Rounds interleaved (bare first, then platform first, ...); the median of the rounds' ratios is reported.
  const rounds: {
    bare: Awaited<ReturnType<typeof measured>>
    platform: Awaited<ReturnType<typeof platformRun>>
  }[] = []
  let badSent = 0
  let badRefused = 0
  let errors = 0
  let uniqueGoodTotal = 0
  const stopProfile = await startProfile()
  for (let round = 0; round < ROUNDS; round++) {
    const from = WARMUP_EVENTS + round * EVENTS
    const run = buildDeliveries(account, paymentIds.slice(from, from + EVENTS), EVENTS)
    const bareDeliveries = buildDeliveries(account, paymentIds, EVENTS).deliveries
    let bareResult: Awaited<ReturnType<typeof measured>>
    let platformResult: Awaited<ReturnType<typeof platformRun>>
    if (round % 2 === 0) {
      bareResult = await measured(bare.url, bareDeliveries)
      platformResult = await platformRun(run.deliveries, run.uniqueGood)
    } else {
      platformResult = await platformRun(run.deliveries, run.uniqueGood)
      bareResult = await measured(bare.url, bareDeliveries)
    }
    rounds.push({ bare: bareResult, platform: platformResult })
    badSent += platformResult.badSent
    badRefused += platformResult.refused
    errors += platformResult.errors
    uniqueGoodTotal += run.uniqueGood
    console.error(
      `  round ${round + 1}/${ROUNDS}: platform ${Math.round((EVENTS / platformResult.ms) * 1000)}/s, bare ${Math.round((EVENTS / bareResult.ms) * 1000)}/s`
    )
  }
  await stopProfile()
  const succeeded = await (app.get('events') as any).store.outbox.countDocuments({
    name: 'payment.succeeded'
  })
  const paid = await runAsSystem(
    'bench',
    tenantId,
    async () => await r.models.payments.countDocuments({ status: 'succeeded' }).exec()
  )
  const perSecond = (ms: number) => (EVENTS / ms) * 1000
  const perEvent = (us: number) => Math.round(us / EVENTS)
  const report = {
    engine: db.engine,
    events: EVENTS,
    rounds: ROUNDS,
    warmupEvents: WARMUP_EVENTS,
    uniqueGoodEvents: uniqueGoodTotal,
    ratios: rounds.map((round) => Number((round.bare.ms / round.platform.ms).toFixed(2))),
    ratio: Number(median(rounds.map((round) => round.bare.ms / round.platform.ms)).toFixed(2)),
    /** Informational: the same run with its receipt emails (delivery, PDF, email) counted in its time. */
    ratioWithReceipts: Number(
      median(rounds.map((round) => round.bare.ms / (round.platform.ms + round.platform.receiptsMs))).toFixed(
        2
      )
    ),
    receiptsPerSecond: Math.round(median(rounds.map((round) => perSecond(round.platform.receiptsMs)))),
    /** Server and engine CPU per receipt (delivery job, claim, reads, PDF, email, completion). */
    receiptsCpuUsPerEvent: perEvent(median(rounds.map((round) => round.platform.receiptsCpuUs))),
    receiptsEngineCpuUsPerEvent: perEvent(median(rounds.map((round) => round.platform.receiptsEngineUs))),
    platformEventsPerSecond: Math.round(median(rounds.map((round) => perSecond(round.platform.ms)))),
    /** HTTP answers only (verify + store + enqueue), before asynchronous processing finished. */
    platformAcceptedPerSecond: Math.round(
      median(rounds.map((round) => perSecond(round.platform.acceptedMs)))
    ),
    bareEventsPerSecond: Math.round(median(rounds.map((round) => perSecond(round.bare.ms)))),
    /** Server process CPU per delivery until every event was processed (receipts held, see platformRun). */
    platformCpuUsPerEvent: perEvent(median(rounds.map((round) => round.platform.cpuUs))),
    bareCpuUsPerEvent: perEvent(median(rounds.map((round) => round.bare.cpuUs))),
    /** The engine's own process (embedded engine only), per delivery, same windows. */
    platformEngineCpuUsPerEvent: perEvent(median(rounds.map((round) => round.platform.engineUs))),
    bareEngineCpuUsPerEvent: perEvent(median(rounds.map((round) => round.bare.engineUs))),
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
    target: 0.7,
    duplicateEffects: succeeded - uniqueGoodTotal - warmup.uniqueGood,
    paymentsSucceeded: paid,
    badSignaturesSent: badSent,
    badSignaturesRefused: badRefused,
    unexpectedErrors: errors
  }
  console.log(JSON.stringify(report, null, 2))
  await bare.close()
  await app.teardown()
  await deleteKeysWithPrefix(config.redisUrl, config.queuePrefix)
  await db.stop()
  const ok =
    report.duplicateEffects === 0 &&
    report.badSignaturesRefused === report.badSignaturesSent &&
    report.unexpectedErrors === 0
  process.exit(ok ? 0 : 1)
}

if (process.argv.includes(SENDER_FLAG)) {
  process.once('message', async (message: { url: string; deliveries: Delivery[] }) => {
    const result = await sendHere(message.url, message.deliveries)
    process.send!(result, () => process.exit(0))
  })
} else {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
