// Test support for browser and web-client tests: the real API from the core test platform (createApp with
// REST + Socket.io, durable events on the shared Redis with a per-file prefix, the web-api services) with its
// config read from environment variables like production, on a fresh harness database; plus seed helpers
// that go through the services like the dashboard does.
import masterclasses from '../../../../plugins/masterclasses/plugin.ts'
import type { Application } from '../../../src/app/declarations.ts'
import { loadConfig } from '../../../src/config/load-config.ts'
import type { PluginManifest } from '../../../src/plugins/plugin-manifest.ts'
// The harness's provided values (mongoUri) are typed there; web-app type checks reach this file alone.
import type {} from '../../global-setup.ts'
import * as seed from '../../support/seed-platform.ts'
import { platformTestEnv } from '../../support/test-config.ts'
import { startTestPlatform } from '../../support/test-platform.ts'
import { type RunningWorker, startPlatformWorker } from './platform-worker.ts'

export interface RunningApi {
  app: Application
  url: string
  /** Stops the worker process too, when one was started. */
  close(): Promise<void>
}

export interface PlatformApiOptions {
  /** Environment overrides of the configuration (e.g. TRUST_PROXY to give requests distinct client IPs). */
  env?: Record<string, string>
  /** Default: the masterclasses plugin. */
  plugins?: readonly PluginManifest[]
  /**
   * `'process'`: jobs and event deliveries run in a separate worker process (core/src/worker.ts), as in
   * production and `npm start`, instead of nowhere (RUN_WORKERS_IN_PROCESS=false) or in the API process.
   */
  worker?: 'process'
}

export async function startPlatformApi(name: string, options: PlatformApiOptions = {}): Promise<RunningApi> {
  const env = {
    ...platformTestEnv(name),
    LOG_LEVEL: process.env.E2E_API_LOG_LEVEL ?? 'silent',
    EMAIL_OUTBOX_DIR: `/tmp/ms-e2e-outbox-${process.pid}`,
    ...options.env
  }
  const config = loadConfig(env)
  const plugins = options.plugins ?? [masterclasses]
  const platform = await startTestPlatform(name, {
    plugins,
    config,
    events: { durable: {} },
    email: 'configured'
  })
  let worker: RunningWorker | undefined
  try {
    if (options.worker === 'process')
      worker = await startPlatformWorker(
        { ...env, RUN_WORKERS_IN_PROCESS: 'false' },
        plugins.map((plugin) => plugin.name)
      )
  } catch (error) {
    await platform.close()
    throw error
  }
  return {
    app: platform.app,
    url: platform.url,
    async close() {
      await worker?.close()
      await platform.close()
    }
  }
}

export interface SeedTenant {
  slug: string
  name: string
  primary: string
  headline: string
  plugins?: string[]
}

export async function seedAgency(app: Application, slug: string) {
  return seed.seedAgency(app, slug)
}

/** A tenant with a brand theme (colours, fonts, copy) built from a few words, and the given plugins. */
export async function seedTenant(app: Application, agencyId: string, tenant: SeedTenant) {
  return seed.seedTenant(app, {
    slug: tenant.slug,
    name: tenant.name,
    agencyId,
    plugins: tenant.plugins,
    theme: {
      colors: { primary: tenant.primary, background: '#ffffff', text: '#111111' },
      fonts: { heading: 'Georgia, serif', body: 'system-ui, sans-serif' },
      copy: {
        headline: tenant.headline,
        subheadline: `${tenant.name} live`,
        callToAction: 'Join',
        footer: tenant.name
      }
    }
  })
}

export async function seedStaff(app: Application, user: seed.StaffSeed & { password: string }) {
  return seed.seedStaff(app, user)
}

/** Creates a masterclass inside the tenant's scope (as its host would through the dashboard). */
export async function seedMasterclass(
  api: RunningApi,
  tenantId: string,
  token: string,
  title: string,
  hostId: string
) {
  const start = Date.now() + 7 * 24 * 3600_000
  const response = await fetch(`${api.url}/masterclasses/masterclasses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': tenantId, authorization: `Bearer ${token}` },
    body: JSON.stringify({
      title,
      description: `${title}: a live session`,
      hostId,
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + 3600_000).toISOString(),
      price: { amount: 4900, currency: 'USD' },
      maxAttendees: 50
    })
  })
  if (response.status !== 201)
    throw new Error(`seed masterclass: ${response.status} ${await response.text()}`)
  return response.json() as Promise<{ _id: string }>
}

export async function login(
  api: RunningApi,
  email: string,
  password: string,
  tenant?: string
): Promise<string> {
  const response = await fetch(`${api.url}/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(tenant && { 'x-tenant': tenant }) },
    body: JSON.stringify({ strategy: 'local', email, password })
  })
  if (response.status !== 201) throw new Error(`login ${email}: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { accessToken: string }).accessToken
}
