// Boots core's app inside a CLI script (no listening), runs one job as the platform itself, and tears
// the app down again, so scripts go through the same services, validation and events as the API.
import { resolve } from 'node:path'
import type { Application } from '../../../core/src/app/declarations.ts'
import { dataDir, REPO_ROOT } from './paths.ts'
import { scriptEnv } from './script-env.ts'

export async function withPlatformApp<T>(name: string, work: (app: Application) => Promise<T>): Promise<T> {
  // Checked before core is imported: a missing database is reported at once, not after loading the platform.
  const env = scriptEnv(process.env, dataDir())
  const [
    { createApp },
    { stopApp },
    { ConfigError, loadConfig },
    { runAsSystem },
    { createLogger },
    plugins
  ] = await Promise.all([
    import('../../../core/src/app/create-app.ts'),
    import('../../../core/src/app/server.ts'),
    import('../../../core/src/config/load-config.ts'),
    import('../../../core/src/context/request-scope.ts'),
    import('../../../core/src/logging/logger.ts'),
    import('../../../core/src/plugins/discover-plugins.ts')
  ])
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new Error(
        `Configuration is invalid:\n${error.problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`
      )
    }
    throw error
  }
  const logger = createLogger({ level: config.logLevel, name })
  const installed = await plugins.discoverPlugins(resolve(env.PLUGINS_DIR ?? resolve(REPO_ROOT, 'plugins')))
  const app = await createApp({ config, logger, plugins: installed.map((plugin) => plugin.manifest) })
  try {
    await app.setup()
    return await runAsSystem(name, undefined, () => work(app))
  } finally {
    await stopApp(app)
  }
}
