// Variants (d) and (e): the real platform (createApp: request id, access log, rate limit, tenant resolution,
// JWT auth, access policy, request scope) with an in-memory service (d) and a tenant-scoped mongoose
// service (e), both with body validation and resolvers. Also returns what a client needs: tenant host, token.
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NotFound } from '@feathersjs/errors'
import { Type } from '@feathersjs/typebox'
import mongoose from 'mongoose'
import { createApp } from '../../core/src/app/create-app.ts'
import type { Application } from '../../core/src/app/declarations.ts'
import { registerService } from '../../core/src/app/register-service.ts'
import { startServer, stopApp } from '../../core/src/app/server.ts'
import { loadConfig } from '../../core/src/config/load-config.ts'
import { runAsSystem } from '../../core/src/context/request-scope.ts'
import { MongooseService } from '../../core/src/data/mongoose-service.ts'
import { tenantScopedPlugin } from '../../core/src/data/tenant-scoped-plugin.ts'
import { validateBody } from '../../core/src/data/validate-body.ts'
import { asyncDestination, createLogger } from '../../core/src/logging/logger.ts'
import { benchEncryptionKey } from '../lib/bench-settings.ts'
import { ItemStore } from './item-store.ts'

export interface PlatformStack {
  /** The app itself, for in-process measurements of the service call path (not sent over IPC). */
  app: Application
  url: string
  /** Host header selecting the bench tenant. */
  host: string
  /** The bench tenant's slug (for X-Tenant, when a client cannot set Host). */
  tenant: string
  token: string
  /** Id of a stored document for the mongoose GET workload. */
  documentId: string
  close(): Promise<void>
}

const itemData = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 200 }), description: Type.String({ maxLength: 2000 }) },
  { additionalProperties: false }
)
// Results are shaped as the platform's services shape theirs (toLeadView, InvoicesService.toView): a plain
// view function (derived field out, internal field hidden), here in one around hook for both stores. Until
// session 8 this was @feathersjs/schema's resolveResult/resolveData, which no platform service uses (≈ 2 µs
// of CPU per GET in process: an async call per property).
function itemView(item: Record<string, unknown>) {
  const { tenantId: _internal, ...view } = item
  return { ...view, summary: String(item.title).slice(0, 40) }
}
const presentResult = async (context: any, next: () => Promise<void>) => {
  await next()
  context.result = itemView(context.result)
}
const productionHooks = {
  around: { all: [presentResult] },
  before: { create: [validateBody({ create: itemData })] }
}

class MemoryItems {
  private readonly store = new ItemStore()
  async get(id: string) {
    const item = this.store.get(String(id))
    if (!item) throw new NotFound('Not found')
    return item
  }
  async create(data: any) {
    return this.store.create(data)
  }
}

function benchItemSchema(): mongoose.Schema {
  const schema = new mongoose.Schema(
    { title: { type: String, required: true }, description: String, createdAt: String },
    { versionKey: false }
  )
  schema.plugin(tenantScopedPlugin)
  return schema
}

/**
 * The same in-memory service with parts of the chain left out, for bench/lib/hook-costs.ts: the difference
 * in throughput between neighbours is what that part costs per request.
 */
function registerCostBreakdownServices(app: Application): void {
  // Guard + JWT auth + policy + scope, no validation or resolvers.
  registerService(app, {
    path: 'bench/items-no-resolvers',
    service: new MemoryItems() as any,
    methods: ['get', 'create'],
    access: { get: 'authenticated', create: 'authenticated' }
  })
  // Guard with a public rule: tenant check and scope, no token verified.
  registerService(app, {
    path: 'bench/items-public',
    service: new MemoryItems() as any,
    methods: ['get', 'create'],
    access: { get: 'public', create: 'public' }
  })
  // No guard at all (plain Feathers service behind the platform's Koa middleware).
  ;(app as any).use('bench/items-bare', new MemoryItems(), { methods: ['get', 'create'] })
}

export async function startPlatformStack(mongoUri: string): Promise<PlatformStack> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    PORT: '0',
    MONGODB_URI: mongoUri,
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    PLATFORM_ENCRYPTION_KEY: benchEncryptionKey(mongoUri).toString('hex'),
    EMAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'bench-outbox-'))
  })
  // Production logs at info: one access log line per request, formatted, redacted and written through the
  // same asynchronous destination as stdout, but to /dev/null so the bench output stays readable.
  const logger = createLogger({
    level: config.logLevel,
    destination: asyncDestination('/dev/null')
  })
  const app: Application = await createApp({ config, logger })
  // One client IP sends every request: lift the per-IP limit (the limiter still runs on each request).
  ;(app as any).get('access').httpLimit = { name: 'bench-http', points: 1_000_000_000, durationSeconds: 60 }

  registerService(app, {
    path: 'bench/items',
    service: new MemoryItems() as any,
    methods: ['get', 'create'],
    access: { get: 'authenticated', create: 'authenticated' },
    hooks: productionHooks
  })
  registerCostBreakdownServices(app)
  const Model = app.get('mongoose').model('BenchItem', benchItemSchema(), 'bench_items')
  registerService(app, {
    path: 'bench/documents',
    service: new MongooseService({ Model: Model as any, paginate: false }) as any,
    methods: ['get', 'create'],
    access: { get: 'authenticated', create: 'authenticated' },
    hooks: productionHooks
  })
  const running = await startServer(app, config)

  const slug = `bench-${randomBytes(3).toString('hex')}`
  const email = `bench-host@${slug}.test`
  const password = randomBytes(12).toString('base64url')
  const { documentId } = await runAsSystem('bench-seed', undefined, async () => {
    const agency = await (app.service('agencies' as never) as any).create({
      slug: `${slug}-agency`,
      name: 'Bench'
    })
    const tenant = await (app.service('tenants' as never) as any).create({
      slug,
      name: 'Bench',
      agencyId: agency._id
    })
    await (app.service('users' as never) as any).createStaff({
      email,
      name: 'Bench Host',
      role: 'host',
      password,
      agencyId: agency._id,
      tenantIds: [tenant._id]
    })
    const doc = await runAsSystem('bench-seed', String(tenant._id), () =>
      Model.create({ title: 'Seeded', description: 'x'.repeat(200), createdAt: new Date().toISOString() })
    )
    return { documentId: String(doc._id) }
  })
  const host = `${slug}.localhost:${running.port}`
  const token = await login(running.port, host, email, password)
  return { app, url: running.url, host, tenant: slug, token, documentId, close: () => stopApp(app) }
}

async function login(port: number, host: string, email: string, password: string): Promise<string> {
  const { request } = await import('node:http')
  return new Promise((done, fail) => {
    const body = JSON.stringify({ strategy: 'local', email, password })
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/authentication',
        headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
      },
      (res) => {
        let text = ''
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () =>
          res.statusCode === 201
            ? done(JSON.parse(text).accessToken)
            : fail(new Error(`login ${res.statusCode}: ${text}`))
        )
      }
    )
    req.on('error', fail)
    req.end(body)
  })
}
