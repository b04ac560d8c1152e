// Test helper: the test platform (core/test/support/test-platform.ts) with durable events, jobs and
// in-process workers for the plugin host tests, and tenants written with plugins already enabled.
import type { Application } from '../../src/app/declarations.ts'
import type { Config } from '../../src/config/config.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { tenancyModels } from '../../src/tenancy/tenancy-models.ts'
import { startTestPlatform } from '../support/test-platform.ts'

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
  const platform = await startTestPlatform(name, {
    plugins,
    config: { runWorkersInProcess: true, bodyLimitBytes: 64 * 1024 },
    events: { durable: { bus: { backoffMs: 50 }, relay: { pollMs: 200 } } }
  })
  const { Tenant } = tenancyModels(platform.app.get('mongoose'))
  return {
    app: platform.app,
    url: platform.url,
    config: platform.config,
    async createTenant(slug, enabled) {
      // Written directly, not through tenants.enablePlugin: these fixture plugins' lifecycle hooks and
      // events are what the tests observe, so enabling must not run them ahead of the test.
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
    close: () => platform.close()
  }
}
