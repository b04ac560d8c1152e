// Diagnostic mode of the registration bench (BENCH_DIAGNOSE=1): where a fixed-rate round's slow requests
// spend their time. Per request, stage timestamps on one wall clock shared with the load process (its send
// time comes in a header), the server's event-loop delay and GC pauses during the round, and the stage
// means of all requests against those of the slowest 5 % and 1 %. It adds a little work per request, so the
// figures of a diagnostic run are not the bench's figures.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'

/** The load process's send time (ms since the epoch, fractional) of a diagnostic request. */
export const SENT_HEADER = 'x-bench-sent'

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export const wallNow = () => performance.timeOrigin + performance.now()

interface Stamps {
  sent: number
  request: number
  service?: number
  catalogueWait?: number
  catalogueDone?: number
  insert?: number
  inserted?: number
  enqueue?: number
  enqueued?: number
  serviceEnd?: number
  finish?: number
}

const STAGES: [string, keyof Stamps, keyof Stamps][] = [
  ['sent→request', 'sent', 'request'],
  ['request→service', 'request', 'service'],
  ['catalogue wait', 'catalogueWait', 'catalogueDone'],
  ['service→insert', 'service', 'insert'],
  ['insert', 'insert', 'inserted'],
  ['inserted→enqueue', 'inserted', 'enqueue'],
  ['enqueue', 'enqueue', 'enqueued'],
  // The answer does not wait for the enqueue (registration-service.ts): measured from the insert.
  ['inserted→serviceEnd', 'inserted', 'serviceEnd'],
  ['serviceEnd→finish', 'serviceEnd', 'finish'],
  ['request→finish', 'request', 'finish']
]

const requestStamps = new AsyncLocalStorage<Stamps>()
const STALL_MS = 15

/** The stamps of the request being handled here (for probes placed in the request path), if any. */
export const currentStamps = () => requestStamps.getStore()

/**
 * Wraps `target[method]` so the current request records when it was called and when its promise settled;
 * with `onlyWaits`, only calls that answered with a promise are recorded.
 */
export function probe(
  target: any,
  method: string,
  start: keyof Stamps,
  end: keyof Stamps,
  onlyWaits = false
): void {
  const original = target[method]
  target[method] = function (this: unknown, ...args: unknown[]) {
    const stamps = requestStamps.getStore()
    const called = wallNow()
    const result = original.apply(this, args)
    if (stamps && (!onlyWaits || result instanceof Promise)) (stamps as any)[start] = called
    if (!stamps || !(result instanceof Promise)) return result
    return result.finally(() => {
      ;(stamps as any)[end] = wallNow()
    })
  }
}

export class LatencyBreakdown {
  #recorded: Stamps[] = []
  #gc: { kind: number; ms: number }[] = []
  #delay = monitorEventLoopDelay({ resolution: 2 })
  #gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      this.#gc.push({ kind: (entry as any).detail?.kind ?? 0, ms: entry.duration })
  })
  #active = false
  /** Database commands other than inserts during the round, with when they started. */
  #commands: { at: number; name: string }[] = []
  #commandCounts = new Map<string, number>()
  /** Event-loop stalls over STALL_MS seen by a 10 ms ticker: when, and how long. */
  #stalls: { at: number; ms: number }[] = []
  #ticker: NodeJS.Timeout | undefined
  #roundStart = 0

  /**
   * `collection`: the driver's Collection prototype, whose calls are counted while a round is recorded
   * (the bare route's driver calls too: one process).
   */
  constructor(server: Server, collection?: Record<string, any>) {
    if (collection) {
      for (const method of [
        'find',
        'findOne',
        'aggregate',
        'findOneAndUpdate',
        'updateOne',
        'insertMany',
        'insertOne'
      ]) {
        const original = collection[method]
        const breakdown = this
        collection[method] = function (this: { collectionName: string }, ...args: unknown[]) {
          if (breakdown.#active) {
            const name = `${method} ${this.collectionName}`
            breakdown.#commandCounts.set(name, (breakdown.#commandCounts.get(name) ?? 0) + 1)
            if (!method.startsWith('insert')) breakdown.#commands.push({ at: wallNow(), name })
          }
          return original.apply(this, args)
        }
      }
    }
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      if (!this.#active) return
      const sent = Number(request.headers[SENT_HEADER])
      if (!Number.isFinite(sent)) return
      const stamps: Stamps = { sent, request: wallNow() }
      // The next listeners of this emit (the app's handler) and everything they start inherit the stamps.
      requestStamps.enterWith(stamps)
      response.once('finish', () => {
        stamps.finish = wallNow()
        this.#recorded.push(stamps)
      })
    })
  }

  begin(): void {
    this.#recorded = []
    this.#gc = []
    this.#delay.reset()
    this.#delay.enable()
    this.#gcObserver.observe({ entryTypes: ['gc'] })
    this.#commands = []
    this.#commandCounts = new Map()
    this.#stalls = []
    this.#roundStart = wallNow()
    let last = performance.now()
    this.#ticker = setInterval(() => {
      const now = performance.now()
      if (now - last - 10 > STALL_MS) this.#stalls.push({ at: wallNow(), ms: now - last - 10 })
      last = now
    }, 10)
    this.#active = true
  }

  /** Stops recording and returns the round's summary lines. */
  end(label: string, measuredFrom: number): string[] {
    this.#active = false
    clearInterval(this.#ticker)
    this.#delay.disable()
    this.#gcObserver.disconnect()
    const all = this.#recorded.filter((s) => s.sent >= measuredFrom)
    const total = (s: Stamps) => (s.finish ?? s.request) - s.sent
    all.sort((a, b) => total(a) - total(b))
    const at = (q: number) => (all.length ? total(all[Math.floor((all.length - 1) * q)]) : 0)
    const slowest = (share: number) => all.slice(Math.floor(all.length * (1 - share)))
    const ms = (n: number) => n.toFixed(1)
    const gcTotal = this.#gc.reduce((sum, g) => sum + g.ms, 0)
    const gcMax = this.#gc.reduce((max, g) => Math.max(max, g.ms), 0)
    const byKind = new Map<number, number>()
    for (const g of this.#gc) byKind.set(g.kind, (byKind.get(g.kind) ?? 0) + 1)
    const d = this.#delay
    const lines = [
      `  diag ${label}: ${all.length} requests, sent→finish p50 ${ms(at(0.5))} p95 ${ms(at(0.95))} p99 ${ms(at(0.99))} max ${ms(at(1))} ms`,
      `    event-loop delay p50 ${ms(d.percentile(50) / 1e6)} p99 ${ms(d.percentile(99) / 1e6)} max ${ms(d.max / 1e6)} ms; GC ${this.#gc.length} pauses (${[...byKind].map(([k, n]) => `kind ${k}: ${n}`).join(', ')}) total ${ms(gcTotal)} max ${ms(gcMax)} ms`
    ]
    const catalogueWaits = (set: Stamps[]) => set.filter((s) => s.catalogueWait !== undefined).length
    for (const [name, set] of [
      ['all', all],
      ['slowest 5%', slowest(0.05)],
      ['slowest 1%', slowest(0.01)]
    ] as const) {
      const means = STAGES.map(([stage, from, to]) => {
        const spans = set.filter((s) => s[from] !== undefined && s[to] !== undefined)
        const mean = spans.reduce((sum, s) => sum + (s[to]! - s[from]!), 0) / (spans.length || 1)
        return spans.length ? `${stage} ${ms(mean)}` : undefined
      }).filter(Boolean)
      lines.push(
        `    ${name.padEnd(10)} (${set.length}): ${means.join(', ')}; catalogue reads waited on: ${catalogueWaits(set)}`
      )
    }
    const counts = [...this.#commandCounts].sort((x, y) => y[1] - x[1])
    lines.push(`    database commands: ${counts.map(([name, n]) => `${name} ${n}`).join(', ')}`)
    const sec = (at: number) => ((at - this.#roundStart) / 1000).toFixed(2)
    for (const stall of this.#stalls) {
      // What was read around a stall (a refresh burst would show as many reads within a few ms).
      const near = this.#commands.filter((c) => c.at > stall.at - stall.ms - 50 && c.at <= stall.at)
      lines.push(`    stall at ${sec(stall.at)} s: ${ms(stall.ms)} ms, ${near.length} reads in it`)
    }
    // Reads per 100 ms: a burst of refreshes shows as one crowded bucket.
    const buckets = new Map<string, number>()
    for (const c of this.#commands) {
      const bucket = (Math.floor((c.at - this.#roundStart) / 100) / 10).toFixed(1)
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1)
    }
    lines.push(`    reads per 100 ms from (s): ${[...buckets].map(([at, n]) => `${at}:${n}`).join(' ')}`)
    return lines
  }
}
