// Test support: the real platform (core's createApp: Koa, Socket.io, tenancy, auth, durable events, jobs
// with in-process workers) with the pipeline plugin, on a fresh harness database and a unique Redis
// prefix; seeded with two agencies, three tenants and staff, and an HTTP client per user.
import { request } from 'node:http'
import { createApp } from '../../../../core/src/app/create-app.ts'
import type { Application } from '../../../../core/src/app/declarations.ts'
import { type RunningServer, startServer } from '../../../../core/src/app/server.ts'
import type { Config } from '../../../../core/src/config/config.ts'
import { runAsSystem } from '../../../../core/src/context/request-scope.ts'
import { platformTestConfig } from '../../../../core/test/support/test-config.ts'
import pipelinePlugin from '../../plugin.ts'

export const PASSWORD = 'correct-horse-battery'

export interface HttpResponse<T = any> {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: T
  text: string
}

export interface CallOptions {
  token?: string
  tenant?: string
  headers?: Record<string, string>
  serviceMethod?: string
  /** Raw body (sent as is, with the given content type). */
  raw?: { body: Buffer | string; contentType: string }
}

export function testConfig(name: string, overrides: Partial<Config> = {}): Config {
  return platformTestConfig(name, {
    runWorkersInProcess: true,
    email: { provider: 'outbox', from: 'no-reply@masterstage.test', outboxDir: '/tmp/ms-pipeline-outbox' },
    ...overrides
  })
}

export function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {}
): Promise<HttpResponse<T>> {
  const url = new URL(path, baseUrl)
  const payload = options.raw
    ? Buffer.from(options.raw.body)
    : body === undefined
      ? undefined
      : Buffer.from(JSON.stringify(body))
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(payload && {
      'content-type': options.raw?.contentType ?? 'application/json',
      'content-length': String(payload.length)
    }),
    ...(options.token && { authorization: `Bearer ${options.token}` }),
    ...(options.tenant && { 'x-tenant': options.tenant }),
    ...(options.serviceMethod && { 'x-service-method': options.serviceMethod }),
    ...options.headers
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let parsed: any = text
        try {
          parsed = text ? JSON.parse(text) : undefined
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text })
      })
    })
    // A server refusing a huge body may close the socket mid-upload: report what it answered.
    req.on('error', reject)
    if (payload) req.write(payload)
    req.end()
  })
}

export interface SeededTenant {
  _id: string
  slug: string
}

export interface PipelineTestApp {
  app: Application
  url: string
  tenants: { ava: SeededTenant; marco: SeededTenant; zed: SeededTenant }
  users: Record<'northAdmin' | 'avaHost' | 'marcoHost' | 'avaRep' | 'zedHost', { _id: string; email: string }>
  token(user: keyof PipelineTestApp['users']): Promise<string>
  /** Runs `fn` in a tenant's scope as the platform (direct model access in tests). */
  asTenant(tenantId: string, fn: () => any): Promise<any>
  model(name: 'lead' | 'lead-history' | 'revenue-entry'): any
  close(): Promise<void>
}

export async function startPipelineTestApp(
  name: string,
  options: { settings?: Record<string, unknown>; config?: Partial<Config> } = {}
): Promise<PipelineTestApp> {
  const config = testConfig(name, options.config)
  const app = await createApp({ config, plugins: [pipelinePlugin] })
  const server: RunningServer = await startServer(app, config)
  const service = (path: string) => (app as any).service(path)
  const north = await service('agencies').create({ slug: `north-${name}`.slice(0, 30), name: 'Northstar' })
  const south = await service('agencies').create({ slug: `south-${name}`.slice(0, 30), name: 'Southwind' })
  const tenant = async (slug: string, agencyId: string, enabled: boolean) => {
    const created = await service('tenants').create({ slug, name: slug, agencyId })
    if (enabled) {
      await service('tenants').enablePlugin({
        tenantId: created._id,
        plugin: 'pipeline',
        settings: options.settings ?? {
          registrationLimits: { perIpPerMinute: 10_000, perTenantPerMinute: 10_000 }
        }
      })
    }
    return { _id: String(created._id), slug: created.slug }
  }
  const tenants = {
    ava: await tenant('ava-fit', north._id, true),
    marco: await tenant('money-marco', north._id, true),
    zed: await tenant('zed-cooks', south._id, false)
  }
  const staff = async (email: string, role: string, extra: Record<string, unknown>) => {
    const user = await service('users').createStaff({
      email,
      name: email.split('@')[0],
      role,
      password: PASSWORD,
      ...extra
    })
    return { _id: String(user._id), email: user.email }
  }
  const users = {
    northAdmin: await staff('admin@northstar.test', 'agency_admin', { agencyId: north._id }),
    avaHost: await staff('ava@ava.test', 'host', { tenantIds: [tenants.ava._id] }),
    marcoHost: await staff('marco@marco.test', 'host', { tenantIds: [tenants.marco._id] }),
    avaRep: await staff('rep@northstar.test', 'sales_rep', { tenantIds: [tenants.ava._id] }),
    zedHost: await staff('zed@zed.test', 'host', { tenantIds: [tenants.zed._id] })
  }
  const tokens = new Map<string, string>()
  const connection = app.get('mongoose')
  return {
    app,
    url: server.url,
    tenants,
    users,
    async token(user) {
      const cached = tokens.get(user)
      if (cached) return cached
      const response = await call(server.url, 'POST', '/authentication', {
        strategy: 'local',
        email: users[user].email,
        password: PASSWORD
      })
      if (response.status !== 201)
        throw new Error(`login of ${user} failed: ${response.status} ${response.text}`)
      tokens.set(user, response.body.accessToken)
      return response.body.accessToken
    },
    // async wrapper: a mongoose query must execute inside the scope, not when awaited outside it.
    asTenant: (tenantId, fn) => runAsSystem('test', tenantId, async () => await fn()),
    model: (modelName) => connection.model(`pipeline.${modelName}`),
    async close() {
      await connection.dropDatabase().catch(() => undefined)
      await server.close()
    }
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000
): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await pause(50)
  }
}
