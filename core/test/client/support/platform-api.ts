// Test support: the real API (createApp with REST + Socket.io, events on the shared Redis with a per-file
// prefix, the masterclasses plugin, the web-api services) on a fresh harness database, plus seed helpers
// that go through the services like the dashboard does.
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import masterclasses from '../../../../plugins/masterclasses/plugin.ts'
import { createApp } from '../../../src/app/create-app.ts'
import type { Application } from '../../../src/app/declarations.ts'
import { loadConfig } from '../../../src/config/load-config.ts'
import { configureWebApi } from '../../../src/web-api/configure-web-api.ts'
// The harness's provided values (mongoUri) are typed there; web-app type checks reach this file alone.
import type {} from '../../global-setup.ts'
import { testDatabaseUri } from '../../support/database.ts'

export interface RunningApi {
  app: Application
  url: string
  close(): Promise<void>
}

/** `env` overrides the test configuration (e.g. TRUST_PROXY to give requests distinct client IPs). */
export async function startPlatformApi(name: string, env: Record<string, string> = {}): Promise<RunningApi> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MONGODB_URI: testDatabaseUri(name),
    JWT_SECRET: randomBytes(32).toString('hex'),
    PLATFORM_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    QUEUE_PREFIX: `e2e${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: process.env.E2E_API_LOG_LEVEL ?? 'silent',
    RUN_WORKERS_IN_PROCESS: 'false',
    EMAIL_OUTBOX_DIR: `/tmp/ms-e2e-outbox-${process.pid}`,
    ...env
  })
  const app = await createApp({ config, plugins: [masterclasses] })
  configureWebApi(app)
  const server = await app.listen(0, '127.0.0.1')
  if (!server.listening) await new Promise((done) => server.once('listening', done))
  const { port } = server.address() as AddressInfo
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.teardown().catch(() => undefined)
      await app
        .get('mongoose')
        ?.close?.()
        .catch?.(() => undefined)
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

const service = (app: Application, path: string) => (app as any).service(path)

export async function seedAgency(app: Application, slug: string) {
  return service(app, 'agencies').create({ slug, name: `Agency ${slug}` })
}

export async function seedTenant(app: Application, agencyId: string, tenant: SeedTenant) {
  const created = await service(app, 'tenants').create({
    slug: tenant.slug,
    name: tenant.name,
    agencyId,
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
  for (const plugin of tenant.plugins ?? []) {
    await service(app, 'tenants').enablePlugin({ tenantId: created._id, plugin })
  }
  return created as { _id: string; slug: string }
}

export async function seedStaff(
  app: Application,
  user: { email: string; role: string; password: string; agencyId?: string; tenantIds?: string[] }
) {
  return service(app, 'users').createStaff({ name: user.email.split('@')[0], ...user }) as Promise<{
    _id: string
  }>
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
