// Test helper: a real Feathers Koa + Socket.io app with tenancy and auth configured, on a fresh database
// of the harness and a per-file Redis key prefix, listening on a random port.
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { feathers } from '@feathersjs/feathers'
import { bodyParser, errorHandler, koa, rest } from '@feathersjs/koa'
import socketio from '@feathersjs/socketio'
import pino from 'pino'
import type { Application } from '../../../src/app/declarations.ts'
import { type ConfigureAccessOptions, configureAccess } from '../../../src/auth/configure-access.ts'
import type { Config } from '../../../src/config/config.ts'
import { connectDatabase } from '../../../src/data/connect.ts'
import type { EmailMessage, EmailProvider } from '../../../src/email/email-provider.ts'
import type { DomainEvent, EventBus } from '../../../src/events/domain-events.ts'
import type { PluginManifest } from '../../../src/plugins/plugin-manifest.ts'
import { rateLimitMiddleware } from '../../../src/rate-limit/rate-limit-middleware.ts'
import { resolveTenantMiddleware } from '../../../src/tenancy/resolve-tenant-middleware.ts'
import { testDatabaseUri } from '../../support/database.ts'

/** Captures sent emails (the outbox contract without files). */
export class MemoryEmailProvider implements EmailProvider {
  readonly name = 'memory'
  readonly sent: EmailMessage[] = []
  async send(message: EmailMessage) {
    const duplicate =
      message.idempotencyKey !== undefined &&
      this.sent.some((m) => m.idempotencyKey === message.idempotencyKey)
    if (!duplicate) this.sent.push(message)
    return { messageId: `m${this.sent.length}`, duplicate }
  }
}

/** Records emitted domain events (delivery itself is the event bus's concern, tested there). */
export class RecordingEventBus implements EventBus {
  readonly emitted: DomainEvent[] = []
  async emit(name: any, payload: any, options: any = {}) {
    const event = {
      id: options.id ?? randomBytes(8).toString('hex'),
      name,
      tenantId: options.tenantId ?? null,
      occurredAt: new Date().toISOString(),
      payload
    }
    if (!this.emitted.some((existing) => existing.id === event.id)) this.emitted.push(event as DomainEvent)
    return event as any
  }
  subscribe() {}
}

export interface TestApp {
  app: Application
  url: string
  port: number
  config: Config
  email: MemoryEmailProvider
  events: RecordingEventBus
  close(): Promise<void>
}

export interface TestAppOptions extends ConfigureAccessOptions {
  plugins?: readonly PluginManifest[]
  /** Registers extra services (fixtures) after core's. */
  register?: (app: Application) => void | Promise<void>
}

export function testConfig(name: string): Config {
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    baseDomain: 'localhost',
    publicApiUrl: 'http://localhost',
    storefrontUrl: 'http://storefront.test',
    dashboardUrl: 'http://dashboard.test',
    mongoUri: testDatabaseUri(name),
    redisUrl: 'redis://127.0.0.1:6379',
    queuePrefix: `test-${name}-${randomBytes(4).toString('hex')}`,
    jwtSecret: randomBytes(32).toString('hex'),
    jwtExpiresIn: '1h',
    encryptionKey: randomBytes(32),
    logLevel: 'silent',
    runWorkersInProcess: false,
    bodyLimitBytes: 1024 * 1024,
    corsOrigins: [],
    email: { provider: 'outbox', from: 'no-reply@masterstage.test', outboxDir: '/tmp' },
    trustProxy: false
  }
}

export async function startTestApp(name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(name)
  const app = koa(feathers()) as unknown as Application
  const email = new MemoryEmailProvider()
  const events = new RecordingEventBus()
  app.set('config', config)
  app.set('logger', pino({ level: 'silent' }))
  app.set('mongoose', await connectDatabase(config.mongoUri))
  app.set('email', email)
  app.set('events', events)
  app.set('plugins', new Map((options.plugins ?? []).map((plugin) => [plugin.name, plugin])))
  app.use(errorHandler())
  app.use(rateLimitMiddleware(app))
  app.use(resolveTenantMiddleware(app))
  app.use(bodyParser())
  app.configure(rest())
  app.configure(socketio({ transports: ['websocket'] }))
  await configureAccess(app, {
    limits: { loginIp: { name: 'login-ip', points: 1000, durationSeconds: 60 } },
    ...options
  })
  await options.register?.(app)
  const server = await app.listen(0, '127.0.0.1')
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    config,
    email,
    events,
    async close() {
      await app.teardown()
      await app
        .get('mongoose')
        .dropDatabase()
        .catch(() => undefined)
      await app.get('mongoose').close()
    }
  }
}
