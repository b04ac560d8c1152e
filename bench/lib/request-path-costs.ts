// The JavaScript cost of one request on each framework-tax variant, without sockets: requests are handed to
// the apps' Koa handlers in this process (IncomingMessage/ServerResponse over a socket that discards what
// is written), so the figures leave out the kernel's TCP work and the load generator, which dominate and
// blur the HTTP benches on a shared 2-core machine. CPU µs per request (min of interleaved rounds) for
// (c) Feathers Koa, the platform unguarded (1), with a public guard (2), with JWT and policy (3), and
// variant (d); with REQUEST_COSTS_DB=1 also (e) on the mongoose adapter (API side only).
// `node bench/lib/request-path-costs.ts`; REQUEST_COSTS_N (requests per round), BENCH_ROUNDS,
// REQUEST_COSTS_ONLY (regular expression over variant names).
import { IncomingMessage, ServerResponse } from 'node:http'
import { Duplex } from 'node:stream'
import { NotFound } from '@feathersjs/errors'
import { feathers } from '@feathersjs/feathers'
import { bodyParser, errorHandler, koa, rest } from '@feathersjs/koa'
import { ItemStore, oneKilobyteItem } from '../servers/item-store.ts'
import { startPlatformStack } from '../servers/platform-stack.ts'
import { startBenchDatabase } from './bench-database.ts'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A connection that accepts every write: what the response costs up to the socket, not beyond. */
class DiscardingSocket extends Duplex {
  readonly remoteAddress = '127.0.0.1'
  readonly remotePort = 40000
  override _read() {}
  override _write(_chunk: unknown, _encoding: unknown, done: () => void) {
    done()
  }
  setTimeout() {
    return this
  }
  setNoDelay() {
    return this
  }
}

function send(
  handler: Handler,
  socket: DiscardingSocket,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string
): Promise<number> {
  const req = new IncomingMessage(socket as any)
  req.method = method
  req.url = url
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.httpVersion = '1.1'
  req.headers =
    body === undefined
      ? headers
      : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
  // As the HTTP parser leaves a fully received request (otherwise reading the body destroys the socket).
  req.complete = true
  if (body !== undefined) req.push(body)
  req.push(null)
  const res = new ServerResponse(req)
  res.shouldKeepAlive = true
  res.assignSocket(socket as any)
  return new Promise((resolve) => {
    res.once('finish', () => {
      res.detachSocket(socket as any)
      resolve(res.statusCode)
    })
    handler(req, res)
  })
}

class ItemService {
  private readonly store = new ItemStore()
  async get(id: string) {
    const item = this.store.get(String(id))
    if (!item) throw new NotFound('Not found')
    return item
  }
  async create(data: { title: unknown; description: unknown }) {
    return this.store.create(data)
  }
}

async function feathersHandler(): Promise<Handler> {
  const app = koa(feathers())
  app.use(errorHandler())
  app.use(bodyParser())
  app.configure(rest())
  app.use('items', new ItemService(), { methods: ['get', 'create'] })
  await app.setup()
  return (app as any).callback()
}

interface Variant {
  name: string
  call: (socket: DiscardingSocket) => Promise<number>
  status: number
  /** Requests per round relative to REQUEST_COSTS_N (database round trips are slower). */
  share: number
}

const requests = Number(process.env.REQUEST_COSTS_N ?? 20_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 4)
const only = process.env.REQUEST_COSTS_ONLY ? new RegExp(process.env.REQUEST_COSTS_ONLY) : undefined
const concurrency = 16

const database = await startBenchDatabase()
const stack = await startPlatformStack(database.uriFor('bench_request_path_costs'))
const platform: Handler = (stack.app as any).callback()
const c = await feathersHandler()
const host = { host: stack.host }
const auth = { ...host, authorization: `Bearer ${stack.token}` }
const body = oneKilobyteItem()
const variant = (
  name: string,
  handler: Handler,
  method: string,
  url: string,
  headers: Record<string, string>
) => ({
  name,
  call: (socket: DiscardingSocket) =>
    send(handler, socket, method, url, headers, method === 'POST' ? body : undefined),
  status: method === 'POST' ? 201 : 200,
  share: name.startsWith('(e)') ? 0.1 : 1
})
const groups: Variant[][] = ['GET', 'POST'].map((method) => {
  const suffix = method === 'GET' ? '/42' : ''
  return [
    variant(`(c) Feathers Koa ${method}`, c, method, `/items${suffix}`, { host: 'localhost' }),
    variant(`(1) platform, unguarded ${method}`, platform, method, `/bench/items-bare${suffix}`, host),
    variant(`(2) + guard, public rule ${method}`, platform, method, `/bench/items-public${suffix}`, host),
    variant(`(3) + JWT and policy ${method}`, platform, method, `/bench/items-no-resolvers${suffix}`, auth),
    variant(`(d) + validation, result view ${method}`, platform, method, `/bench/items${suffix}`, auth),
    ...(process.env.REQUEST_COSTS_DB
      ? [
          variant(
            `(e) mongoose adapter ${method}`,
            platform,
            method,
            method === 'GET' ? `/bench/documents/${stack.documentId}` : '/bench/documents',
            auth
          )
        ]
      : [])
  ].filter((v) => !only || only.test(v.name))
})

async function measure(v: Variant): Promise<number> {
  const total = Math.max(1, Math.round(requests * v.share))
  let started = 0
  const before = process.cpuUsage()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const socket = new DiscardingSocket()
      while (started++ < total) {
        const status = await v.call(socket)
        if (status !== v.status) throw new Error(`${v.name}: status ${status}`)
      }
    })
  )
  const used = process.cpuUsage(before)
  return (used.user + used.system) / total
}

try {
  // GETs first: the POST rounds evict the seeded items from the bounded in-memory store.
  for (const group of groups) {
    const samples = new Map(group.map((v) => [v.name, [] as number[]]))
    for (const v of group) await measure(v) // warm-up
    for (let round = 0; round < rounds; round++)
      for (const v of round % 2 === 0 ? group : [...group].reverse())
        samples.get(v.name)!.push(await measure(v))
    for (const v of group) {
      const values = samples.get(v.name)!
      console.log(
        `${v.name.padEnd(40)} ${Math.min(...values)
          .toFixed(1)
          .padStart(7)} µs CPU/req (min; rounds ${values.map((x) => x.toFixed(1)).join(' ')})`
      )
    }
  }
} finally {
  await stack.close()
  await database.stop()
}
