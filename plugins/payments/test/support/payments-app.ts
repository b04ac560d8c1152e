// Test harness: core's test platform (@masterstage/core/testing: createApp with real MongoDB from the harness,
// real Redis queues and in-process workers, in-memory mailer) with the payments plugin under test, on a port
// known before start (links and webhook URLs), and a seeded agency with two tenants that enabled payments,
// a host per tenant.
import { randomBytes } from 'node:crypto'
import type { Application, Config, PluginManifest } from '@masterstage/core'
import {
  type ApiClient,
  eventually as eventuallyWithin,
  MemoryEmailProvider,
  seedAgency,
  seedStaff,
  seedTenant,
  startTestPlatform,
  TEST_PASSWORD
} from '@masterstage/core/testing'
import type { PaymentsPlatformConfig } from '../../platform-config.ts'
import { createPaymentsPlugin, type PaymentsPluginOptions } from '../../plugin.ts'
import type { PaymentsRuntime } from '../../runtime.ts'

export const PASSWORD = TEST_PASSWORD
/** Captures sent emails, idempotency keys honoured: core's in-memory email provider. */
export const MemoryMailer = MemoryEmailProvider
export type MemoryMailer = MemoryEmailProvider

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
  http: ApiClient
  login(email: string, tenantId: string): Promise<string>
  close(): Promise<void>
}

export interface PaymentsAppOptions extends Omit<PaymentsPluginOptions, 'onRuntime'> {
  /** Extra plugins loaded before payments (e.g. a fixture masterclasses). */
  plugins?: PluginManifest[]
  /** Settings for both tenants' payments plugin. */
  settings?: Record<string, unknown>
}

async function seedPayments(app: Application, options: PaymentsAppOptions) {
  const agency = await seedAgency(app, `north-${randomBytes(3).toString('hex')}`, 'Northstar Talent')
  const seed = async (slug: string, name: string, prefix: string, color: string): Promise<SeededTenant> => {
    const payments = {
      name: 'payments',
      // A key set to undefined in options.settings removes the default (e.g. no staffEmail).
      settings: Object.fromEntries(
        Object.entries({
          invoicePrefix: prefix,
          legalName: `${slug} LLC`,
          legalAddress: '1 Main St\nLos Angeles, CA',
          brandColor: color,
          staffEmail: `staff@${slug}.test`,
          applicationFeeBps: 1000,
          ...options.settings
        }).filter(([, value]) => value !== undefined)
      )
    }
    const extras = (options.plugins ?? []).map((plugin) => plugin.name)
    const tenant = await seedTenant(app, { slug, name, agencyId: agency._id, plugins: [payments, ...extras] })
    const hostEmail = `host@${slug}.test`
    await seedStaff(app, { email: hostEmail, name: 'Host', role: 'host', tenantIds: [tenant._id] })
    return { _id: tenant._id, slug, hostEmail }
  }
  return {
    ava: await seed('ava-fit', 'Ava Fit Academy', 'AVA', '#FF4F6D'),
    marco: await seed('money-marco', 'Money Marco', 'MM', '#1E6F5C')
  }
}

export async function startPaymentsApp(
  name: string,
  options: PaymentsAppOptions = {}
): Promise<PaymentsTestApp> {
  let runtime: PaymentsRuntime | undefined
  const plugin = createPaymentsPlugin({ ...options, onRuntime: (built) => (runtime = built) })
  const platform = await startTestPlatform(`pay-${name}`, {
    plugins: [...(options.plugins ?? []), plugin],
    config: { runWorkersInProcess: true },
    knownPort: true,
    events: { durable: { bus: { backoffMs: 100 }, relay: { pollMs: 200 } } },
    seed: (app) => seedPayments(app, options)
  })
  return {
    app: platform.app,
    url: platform.url,
    config: platform.config,
    mailer: platform.email!,
    runtime: runtime!,
    tenants: platform.seed,
    http: platform.http,
    login: (email, tenantId) => platform.login(email, { tenant: tenantId }),
    close: () => platform.close()
  }
}

/** The sandbox provider as the demo runs it, signing its events with `webhookSecret`. */
export function sandboxPlatform(webhookSecret: string): PaymentsPlatformConfig {
  return { provider: 'sandbox', sandbox: { webhookSecret }, reconcileLookbackSeconds: 3600 }
}

/** Polls until `check` returns a truthy value (or throws after the timeout). */
export function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000, what = 'condition') {
  return eventuallyWithin(check, timeoutMs, what, 100)
}
