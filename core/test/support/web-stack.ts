// Browser-test lifecycle shared by the storefront, dashboard and plugin browser tests: the platform API, its
// seed, the built web apps pointed at it and Chromium, started before a file's tests and stopped after.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchBrowser } from '../client/support/browser.ts'
import {
  login,
  type PlatformApiOptions,
  type RunningApi,
  type SeedTenant,
  seedMasterclass,
  seedStaff,
  seedTenant,
  startPlatformApi
} from '../client/support/platform-api.ts'
import { ensureBuilt, type RunningWebApp, startWebApp, type WebAppName } from '../client/support/web-apps.ts'

/** A web app's environment beyond API_URL (and, for the dashboard, PUBLIC_API_URL), or built from the stack. */
type WebAppEnv<Seed> = Record<string, string> | ((stack: WebStack<Seed>) => Record<string, string>)

export interface WebStackOptions<Seed> {
  /** The API's options, or a function making them once the file's tests start (e.g. a fresh outbox). */
  api?: PlatformApiOptions | (() => PlatformApiOptions | Promise<PlatformApiOptions>)
  /** Seeds through the running API before the web apps start; its result is `stack.seed`. */
  seed?: (api: RunningApi) => Promise<Seed>
  /** Runs the built storefront (started before the dashboard, so the dashboard's env can name it). */
  storefront?: WebAppEnv<Seed>
  /** Runs the built dashboard. */
  dashboard?: WebAppEnv<Seed>
  /** Default true: a Chromium for the file's pages. */
  browser?: boolean
}

/** Filled before the file's first test: read its fields inside hooks and tests only. */
export interface WebStack<Seed = undefined> {
  api: RunningApi
  seed: Seed
  storefront: RunningWebApp
  dashboard: RunningWebApp
  browser: Browser
}

/** Registers the file's beforeAll/afterAll that start and stop the stack; returns the stack they fill. */
export function useWebStack<Seed = undefined>(name: string, options: WebStackOptions<Seed>): WebStack<Seed> {
  const stack = {} as Partial<WebStack<Seed>>
  const started = stack as WebStack<Seed>
  const envOf = (env: WebAppEnv<Seed>) => (typeof env === 'function' ? env(started) : env)
  const apps: WebAppName[] = [
    ...(options.storefront ? (['storefront'] as const) : []),
    ...(options.dashboard ? (['dashboard'] as const) : [])
  ]

  beforeAll(async () => {
    await Promise.all(apps.map((app) => ensureBuilt(app)))
    const apiOptions = typeof options.api === 'function' ? await options.api() : options.api
    const api = await startPlatformApi(name, apiOptions)
    stack.api = api
    stack.seed = (await options.seed?.(api)) as Seed
    if (options.storefront)
      stack.storefront = await startWebApp('storefront', { API_URL: api.url, ...envOf(options.storefront) })
    if (options.dashboard)
      stack.dashboard = await startWebApp('dashboard', {
        API_URL: api.url,
        PUBLIC_API_URL: api.url,
        ...envOf(options.dashboard)
      })
    if (options.browser !== false) stack.browser = await launchBrowser()
  }, 600_000)

  afterAll(async () => {
    await stack.browser?.close()
    await stack.dashboard?.close()
    await stack.storefront?.close()
    await stack.api?.close()
  })

  return started
}

/** The password of every host the web-stack seeds create. */
export const HOST_PASSWORD = 'host-password-1'

export interface SeededHost {
  hostId: string
  hostToken: string
  masterclassId: string
}

/** A host of the tenant, signed in, with one masterclass of theirs (what its landing page lists). */
export async function seedHost(
  api: RunningApi,
  agencyId: string,
  tenantId: string,
  host: { email: string; masterclass: string }
): Promise<SeededHost> {
  const staff = await seedStaff(api.app, {
    email: host.email,
    role: 'host',
    password: HOST_PASSWORD,
    agencyId,
    tenantIds: [tenantId]
  })
  const hostToken = await login(api, host.email, HOST_PASSWORD)
  const masterclass = await seedMasterclass(api, tenantId, hostToken, host.masterclass, staff._id)
  return { hostId: staff._id, hostToken, masterclassId: masterclass._id }
}

export type HostedTenantSeed = Pick<SeedTenant, 'slug' | 'plugins'> &
  Partial<SeedTenant> & { host: string; masterclass: string }

/**
 * A branded tenant (platform-api's seedTenant; name defaults to the slug, headline to the name, primary to
 * a readable blue) with a host and the host's masterclass.
 */
export async function seedHostedTenant(
  api: RunningApi,
  agencyId: string,
  tenant: HostedTenantSeed
): Promise<SeededHost & { tenantId: string }> {
  const { host, masterclass, slug, name = slug, headline = name, primary = '#0b5394', plugins } = tenant
  const brand = { slug, name, headline, primary, plugins }
  const tenantId = (await seedTenant(api.app, agencyId, brand))._id
  return { tenantId, ...(await seedHost(api, agencyId, tenantId, { email: host, masterclass })) }
}
