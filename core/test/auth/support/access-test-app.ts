// Test helper: the real app (createApp: Koa + Socket.io, tenancy, auth, plugins) on a fresh database of the
// harness and a per-file Redis key prefix, listening on a random port; events and email recorded in memory.
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { createApp } from '../../../src/app/create-app.ts'
import type { Application } from '../../../src/app/declarations.ts'
import { type ConfigureAccessOptions, configureAccess } from '../../../src/auth/configure-access.ts'
import type { Config } from '../../../src/config/config.ts'
import type { EmailMessage, EmailProvider } from '../../../src/email/email-provider.ts'
import type { DomainEvent, EventBus } from '../../../src/events/domain-events.ts'
import { JobRegistry } from '../../../src/jobs/job-registry.ts'
import type { PluginManifest } from '../../../src/plugins/plugin-manifest.ts'
import { platformTestConfig } from '../../support/test-config.ts'

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
  /** Overrides of the generated config, e.g. another app's mongoUri/queuePrefix to act as a second process. */
  config?: Partial<Config>
  /** Registers extra services (fixtures) after core's. */
  register?: (app: Application) => void | Promise<void>
  /** Replaces the in-memory event recorder, e.g. with the real durable bus (configureEvents). */
  configureEvents?: (app: Application) => Promise<void>
}

export function testConfig(name: string): Config {
  return platformTestConfig(name)
}

export async function startTestApp(name: string, options: TestAppOptions = {}): Promise<TestApp> {
  const config = { ...testConfig(name), ...options.config }
  const email = new MemoryEmailProvider()
  const events = new RecordingEventBus()
  const { plugins = [], register, config: _config, configureEvents, ...accessOptions } = options
  // The production bootstrap (createApp), with the event bus and mailer replaced by in-memory recorders.
  const app = await createApp({
    config,
    logger: pino({ level: 'silent' }),
    plugins,
    wiring: {
      configureEvents: async (target) => {
        if (configureEvents) {
          await configureEvents(target)
          target.set('email', email)
          return
        }
        target.set('events', events)
        target.set('email', email)
        // Fixture plugins define no jobs: the registry never needs its queue factory here.
        target.set('jobs', new JobRegistry(undefined as any))
      },
      configureAccess: (target) =>
        configureAccess(target, {
          limits: { loginIp: { name: 'login-ip', points: 1000, durationSeconds: 60 } },
          ...accessOptions
        })
    }
  })
  await register?.(app)
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
      const connection = app.get('mongoose')
      // A second "process" on the same database leaves it to the first.
      if (!options.config?.mongoUri) await connection.dropDatabase().catch(() => undefined)
      await connection.close().catch(() => undefined)
    }
  }
}
