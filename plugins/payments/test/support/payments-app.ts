// Test harness: the production bootstrap (createApp) with real MongoDB (harness), real Redis queues and
// in-process workers, the payments plugin under test, an in-memory mailer, and a seeded agency with two
// tenants that enabled payments, a host per tenant and an attendee.
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import {
  type Application,
  type Config,
  configureEvents,
  createApp,
  type EmailMessage,
  type EmailProvider,
  type PluginManifest
} from '@masterstage/core'
import pino from 'pino'
import { api } from '../../../../core/test/auth/support/http-client.ts'
import { platformTestConfig } from '../../../../core/test/support/test-config.ts'
import { createPaymentsPlugin, type PaymentsPluginOptions } from '../../plugin.ts'
import type { PaymentsRuntime } from '../../runtime.ts'

export const PASSWORD = 'correct-horse-battery'

export class MemoryMailer implements EmailProvider {
  readonly name = 'memory'
  readonly sent: EmailMessage[] = []
  readonly #keys = new Set<string>()
  async send(message: EmailMessage) {
    const duplicate = message.idempotencyKey !== undefined && this.#keys.has(message.idempotencyKey)
    if (message.idempotencyKey) this.#keys.add(message.idempotencyKey)
    if (!duplicate) this.sent.push(message)
    return { messageId: `m${this.sent.length}`, duplicate }
  }
}

export interface SeededTenant {
  _id: string
  slug: string
  hostEmail: string
}

export interface PaymentsTestApp {
  app: Application
  url: string
  config: Config
  mailer: MemoryMailer
  runtime: PaymentsRuntime
  tenants: { ava: SeededTenant; marco: SeededTenant }
  http: ReturnType<typeof api>
  login(email: string, tenantId: string): Promise<string>
  close(): Promise<void>
}

export interface PaymentsAppOptions extends Omit<PaymentsPluginOptions, 'onRuntime'> {
  /** Extra plugins loaded before payments (e.g. a fixture masterclasses). */
  plugins?: PluginManifest[]
  /** Settings for both tenants' payments plugin. */
  settings?: Record<string, unknown>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function startPaymentsApp(
  name: string,
  options: PaymentsAppOptions = {}
): Promise<PaymentsTestApp> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const config = platformTestConfig(`pay-${name}`, { port, publicApiUrl: url, runWorkersInProcess: true })
  const mailer = new MemoryMailer()
  let runtime: PaymentsRuntime | undefined
  const plugin = createPaymentsPlugin({ ...options, onRuntime: (built) => (runtime = built) })
  const app = await createApp({
    config,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    plugins: [...(options.plugins ?? []), plugin],
    wiring: {
      configureEvents: async (target) => {
        await configureEvents(target, { bus: { backoffMs: 100 }, relay: { pollMs: 200 } })
        target.set('email', mailer)
      }
    }
  })
  const server = await app.listen(port, '127.0.0.1')
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
  const http = api(url)

  const service = (path: string) => (app as any).service(path)
  const agency = await service('agencies').create({
    slug: `north-${randomBytes(3).toString('hex')}`,
    name: 'Northstar Talent'
  })
  const seedTenant = async (slug: string, color: string): Promise<SeededTenant> => {
    const tenant = await service('tenants').create({
      slug,
      name: slug === 'ava-fit' ? 'Ava Fit Academy' : 'Money Marco',
      agencyId: agency._id
    })
    await service('tenants').enablePlugin({
      tenantId: tenant._id,
      plugin: 'payments',
      settings: {
        invoicePrefix: slug === 'ava-fit' ? 'AVA' : 'MM',
        legalName: `${slug} LLC`,
        legalAddress: '1 Main St\nLos Angeles, CA',
        brandColor: color,
        staffEmail: `staff@${slug}.test`,
        applicationFeeBps: 1000,
        ...options.settings
      }
    })
    for (const extra of options.plugins ?? []) {
      await service('tenants').enablePlugin({ tenantId: tenant._id, plugin: extra.name })
    }
    const hostEmail = `host@${slug}.test`
    await service('users').createStaff({
      email: hostEmail,
      name: 'Host',
      role: 'host',
      password: PASSWORD,
      tenantIds: [tenant._id]
    })
    return { _id: String(tenant._id), slug, hostEmail }
  }
  const tenants = {
    ava: await seedTenant('ava-fit', '#FF4F6D'),
    marco: await seedTenant('money-marco', '#1E6F5C')
  }

  return {
    app,
    url,
    config,
    mailer,
    runtime: runtime!,
    tenants,
    http,
    async login(email, tenantId) {
      const response = await http.login(email, PASSWORD, { tenant: tenantId })
      if (response.status !== 201)
        throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`)
      return response.body.accessToken
    },
    async close() {
      await app.teardown()
      const connection = app.get('mongoose')
      await connection.dropDatabase().catch(() => undefined)
      await connection.close().catch(() => undefined)
    }
  }
}

/** Polls until `check` returns a truthy value (or throws after the timeout). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
  what = 'condition'
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const started = Date.now()
  let last: unknown
  while (Date.now() - started < timeoutMs) {
    try {
      const value = await check()
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}
