// API process: configuration → plugins → app → listen (HTTP + Socket.io); graceful stop on SIGTERM/SIGINT.
// Configuration problems are printed all at once and the process exits 1 before anything starts.
import { resolve } from 'node:path'
import type { Application } from './app/declarations.ts'
import { loadConfigOrExit } from './config/exit-on-config-error.ts'
import { createLogger } from './logging/logger.ts'

const STOP_TIMEOUT_MS = 20_000
const config = loadConfigOrExit()
const logger = createLogger({ level: config.logLevel, name: 'api' })
let app: Application | undefined
let stopping = false

async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'api stopping')
  // A stuck dependency must not keep the process alive forever: the orchestrator expects an exit.
  setTimeout(() => {
    logger.error({ timeoutMs: STOP_TIMEOUT_MS }, 'api did not stop in time: exiting')
    process.exit(1)
  }, STOP_TIMEOUT_MS).unref()
  // Drains in-flight requests, disconnects sockets, stops plugins and workers, then closes connections.
  if (app) {
    const { stopApp } = await import('./app/server.ts')
    await stopApp(app)
  }
  process.exit(process.exitCode ?? 0)
}

async function main(): Promise<void> {
  // Loaded after the configuration is known to be valid, so a broken deployment fails in milliseconds.
  const [{ createApp }, { startServer }, { discoverPlugins }] = await Promise.all([
    import('./app/create-app.ts'),
    import('./app/server.ts'),
    import('./plugins/discover-plugins.ts')
  ])
  const pluginsDir = resolve(process.env.PLUGINS_DIR ?? resolve(import.meta.dirname, '..', '..', 'plugins'))
  const plugins = await discoverPlugins(pluginsDir)
  app = await createApp({ config, logger, plugins: plugins.map((plugin) => plugin.manifest) })
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  const running = await startServer(app, config)
  logger.info({ url: running.url, plugins: plugins.map((plugin) => plugin.name) }, 'api ready')
}

main().catch((error: NodeJS.ErrnoException) => {
  const message =
    error.code === 'EADDRINUSE'
      ? `port ${config.port} is already in use (set PORT to another port)`
      : (error.message ?? String(error))
  logger.fatal(
    { err: error, code: (error as any).data?.code ?? error.code },
    `api failed to start: ${message}`
  )
  process.exitCode = 1
  void stop('startup-failure')
})
