// Test helper: the real app (createApp: Koa REST + Socket.io, tenancy/auth, durable events, jobs, plugin host)
// on a fresh harness database and a unique queue prefix, listening on a random port.
import { mkdtemp } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { createApp } from '../../src/app/create-app.ts'
import type { Application } from '../../src/app/declarations.ts'
import { stopApp } from '../../src/app/server.ts'
import type { Config } from '../../src/config/config.ts'
import { configureEvents } from '../../src/events/configure-events.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { tenancyModels } from '../../src/tenancy/tenancy-models.ts'
import { platformTestConfig } from '../support/test-config.ts'

export interface PluginTestApp {
  app: Application
  url: string
  config: Config
  /** Creates a tenant with these plugins enabled; returns its id. */
  createTenant(slug: string, plugins: readonly string[]): Promise<string>
  close(): Promise<void>
}

export async function startPluginTestApp(
  name: string,
  plugins: readonly PluginManifest[]
): Promise<PluginTestApp> {
  const config = platformTestConfig(name, {
    runWorkersInProcess: true,
    bodyLimitBytes: 64 * 1024,
    email: {
      provider: 'outbox',
      from: 'no-reply@masterstage.test',
      outboxDir: await mkdtemp(join(tmpdir(), 'ms-mail-'))
    }
  })
  const app = await createApp({
    config,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    plugins,
    wiring: {
      configureEvents: (target) => configureEvents(target, { bus: { backoffMs: 50 }, relay: { pollMs: 200 } })
    }
  })
  // listen → setup: createApp's hook starts the plugins, configureEvents' hook starts the workers.
  const server = await app.listen(0, '127.0.0.1')
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
  const { Tenant } = tenancyModels(app.get('mongoose'))
  return {
    app,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    config,
    async createTenant(slug, enabled) {
      const tenant = await Tenant.create({
        slug,
        name: slug,
        agencyId: 'agency-1',
        enabledPlugins: enabled.map((plugin) => ({
          name: plugin,
          settings: {},
          secretsEncrypted: {},
          enabledAt: new Date()
        }))
      })
      return String(tenant._id)
    },
    async close() {
      await app
        .get('mongoose')
        .dropDatabase()
        .catch(() => undefined)
      // The platform's own stop path: drain HTTP, stop plugins, teardown (workers, queues), connections.
      await stopApp(app)
    }
  }
}
