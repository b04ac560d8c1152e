// Test support: core's test platform (@masterstage/core/testing: createApp with durable events and
// in-process workers, fresh harness database, unique Redis prefix) with the masterclasses and pipeline
// plugins, seeded with two agencies, three tenants (two with both enabled) and staff, and a token per user.
// Registrations need a masterclass of the tenant's catalogue: `catalogue()` creates them.
import type { Application, Config } from '@masterstage/core'
import { runAsSystem } from '@masterstage/core'
import {
  eventually as eventuallyWithin,
  type HttpOptions,
  http,
  platformTestConfig,
  type SeededUser,
  seedAgency,
  seedStaff,
  seedTenant,
  startTestPlatform,
  TEST_PASSWORD
} from '@masterstage/core/testing'
import masterclassesPlugin from '../../../masterclasses/plugin.ts'
import type { PipelineModels } from '../../models/pipeline-models.ts'
import pipelinePlugin from '../../plugin.ts'
import { type CatalogueEntry, seedCatalogue } from './catalogue.ts'

export { type HttpResponse, pause } from '@masterstage/core/testing'
export const PASSWORD = TEST_PASSWORD
export type CallOptions = HttpOptions
/** JSON (or a raw body) over real HTTP: core's test client. */
export const call = http

/** Workers in process (handlers run in the test), mail to a local outbox. */
const PIPELINE_CONFIG: Partial<Config> = {
  runWorkersInProcess: true,
  email: { provider: 'outbox', from: 'no-reply@masterstage.test', outboxDir: '/tmp/ms-pipeline-outbox' }
}

export function testConfig(name: string, overrides: Partial<Config> = {}): Config {
  return platformTestConfig(name, { ...PIPELINE_CONFIG, ...overrides })
}

export interface SeededTenant {
  _id: string
  slug: string
}

type SeededUsers = Record<'northAdmin' | 'avaHost' | 'marcoHost' | 'avaRep' | 'zedHost', SeededUser>

export interface PipelineTestApp {
  app: Application
  url: string
  tenants: { ava: SeededTenant; marco: SeededTenant; zed: SeededTenant }
  users: SeededUsers
  token(user: keyof PipelineTestApp['users']): Promise<string>
  /** Runs `fn` in a tenant's scope as the platform (direct model access in tests). */
  asTenant(tenantId: string, fn: () => any): Promise<any>
  model(name: 'lead' | 'lead-history' | 'revenue-entry' | 'metrics-rollup'): any
  /** The plugin's models bundle (as its services get it); use inside asTenant. */
  models(): PipelineModels
  /**
   * Creates masterclasses in a tenant's catalogue (open for registration unless `startsInMs` is not in the
   * future) and returns their ids by key: `(await t.catalogue(ava._id, ['spring'])).spring`.
   */
  catalogue<K extends string>(
    tenantId: string,
    keys: readonly K[],
    entry?: CatalogueEntry
  ): Promise<Record<K, string>>
  close(): Promise<void>
}

const DEFAULT_SETTINGS = { registrationLimits: { perIpPerMinute: 10_000, perTenantPerMinute: 10_000 } }

async function seedPipeline(app: Application, name: string, settings: Record<string, unknown>) {
  const north = await seedAgency(app, `north-${name}`.slice(0, 30), 'Northstar')
  const south = await seedAgency(app, `south-${name}`.slice(0, 30), 'Southwind')
  const pipeline = ['masterclasses', { name: 'pipeline', settings }]
  const pick = ({ _id, slug }: SeededTenant) => ({ _id, slug })
  const tenants = {
    ava: pick(await seedTenant(app, { slug: 'ava-fit', agencyId: north._id, plugins: pipeline })),
    marco: pick(await seedTenant(app, { slug: 'money-marco', agencyId: north._id, plugins: pipeline })),
    zed: pick(await seedTenant(app, { slug: 'zed-cooks', agencyId: south._id }))
  }
  const users: SeededUsers = {
    northAdmin: await seedStaff(app, {
      email: 'admin@northstar.test',
      role: 'agency_admin',
      agencyId: north._id
    }),
    avaHost: await seedStaff(app, { email: 'ava@ava.test', role: 'host', tenantIds: [tenants.ava._id] }),
    marcoHost: await seedStaff(app, {
      email: 'marco@marco.test',
      role: 'host',
      tenantIds: [tenants.marco._id]
    }),
    avaRep: await seedStaff(app, {
      email: 'rep@northstar.test',
      role: 'sales_rep',
      tenantIds: [tenants.ava._id]
    }),
    zedHost: await seedStaff(app, { email: 'zed@zed.test', role: 'host', tenantIds: [tenants.zed._id] })
  }
  return { tenants, users }
}

export async function startPipelineTestApp(
  name: string,
  options: { settings?: Record<string, unknown>; config?: Partial<Config> } = {}
): Promise<PipelineTestApp> {
  const platform = await startTestPlatform(name, {
    plugins: [masterclassesPlugin, pipelinePlugin],
    config: { ...PIPELINE_CONFIG, ...options.config },
    events: { durable: {} },
    email: 'configured',
    seed: (app) => seedPipeline(app, name, options.settings ?? DEFAULT_SETTINGS)
  })
  const { app, seed } = platform
  const tokens = new Map<string, string>()
  const connection = app.get('mongoose')
  return {
    app,
    url: platform.url,
    ...seed,
    async token(user) {
      const token = tokens.get(user) ?? (await platform.login(seed.users[user].email))
      tokens.set(user, token)
      return token
    },
    // async wrapper: a mongoose query must execute inside the scope, not when awaited outside it.
    asTenant: (tenantId, fn) => runAsSystem('test', tenantId, async () => await fn()),
    model: (modelName) => connection.model(`pipeline.${modelName}`),
    models: () => ({
      Lead: connection.model<any>('pipeline.lead') as any,
      History: connection.model('pipeline.lead-history') as any,
      Revenue: connection.model('pipeline.revenue-entry') as any,
      Rollup: connection.model('pipeline.metrics-rollup') as any
    }),
    catalogue: (tenantId, keys, entry) => seedCatalogue(app, tenantId, keys, entry),
    close: () => platform.close()
  }
}

/** Polls `probe` until it returns a truthy value (or throws after `timeoutMs`). */
export function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000
): Promise<T> {
  return eventuallyWithin(probe, timeoutMs) as Promise<T>
}
