// Worker process: same configuration and plugins as the API, but runs only the job processors and event
// deliveries (no public HTTP). WORKER_HEALTH_PORT opens a tiny /health endpoint for orchestrators.
import { createServer, type Server } from 'node:http'
import { resolve } from 'node:path'
import type { Application } from './app/declarations.ts'
import { loadConfigOrExit } from './config/exit-on-config-error.ts'
import { createLogger } from './logging/logger.ts'

const STOP_TIMEOUT_MS = 30_000
// This process is the worker whatever RUN_WORKERS_IN_PROCESS says: it starts them itself below.
const config = { ...loadConfigOrExit(), runWorkersInProcess: false }
const logger = createLogger({ level: config.logLevel, name: 'worker' })
let app: Application | undefined
let health: Server | undefined
let stopping = false

async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'worker stopping: draining active jobs')
  setTimeout(() => {
    logger.error({ timeoutMs: STOP_TIMEOUT_MS }, 'worker did not drain in time: exiting')
    process.exit(1)
  }, STOP_TIMEOUT_MS).unref()
  health?.close()
  // Stops plugins, then the workers (waiting for active jobs), the outbox relay, then the connections.
  if (app) {
    const { stopApp } = await import('./app/server.ts')
    await stopApp(app)
  }
  logger.info('worker stopped')
  process.exit(process.exitCode ?? 0)
}

function startHealthServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const ok = req.url === '/health' && !stopping
    res.writeHead(ok ? 200 : req.url === '/health' ? 503 : 404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }))
  })
  return new Promise((done, fail) => {
    server.once('error', fail)
    server.listen(port, '0.0.0.0', () => done(server))
  })
}

async function main(): Promise<void> {
  // Loaded after the configuration is known to be valid, so a broken deployment fails in milliseconds.
  const [{ createApp }, { startWorkers }, { discoverPlugins }] = await Promise.all([
    import('./app/create-app.ts'),
    import('./jobs/start-workers.ts'),
    import('./plugins/discover-plugins.ts')
  ])
  const pluginsDir = resolve(process.env.PLUGINS_DIR ?? resolve(import.meta.dirname, '..', '..', 'plugins'))
  const plugins = await discoverPlugins(pluginsDir)
  app = await createApp({ config, logger, plugins: plugins.map((plugin) => plugin.manifest) })
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  // setup() without a server: plugins start (their `start` hooks), nothing listens.
  await app.setup()
  await startWorkers(app)
  const healthPort = process.env.WORKER_HEALTH_PORT
  if (healthPort) health = await startHealthServer(Number(healthPort))
  logger.info(
    {
      plugins: plugins.map((plugin) => plugin.name),
      healthPort: healthPort ? Number(healthPort) : undefined
    },
    'worker running'
  )
}

main().catch((error: Error) => {
  logger.fatal({ err: error, code: (error as any).data?.code }, `worker failed to start: ${error.message}`)
  process.exitCode = 1
  void stop('startup-failure')
})
