// Starting and stopping the HTTP server: listen (runs app.setup, which starts plugins), and a graceful
// stop that lets in-flight requests finish, disconnects sockets, stops plugins and workers, then
// closes connections — in that order, each step logged, none able to block the others forever.
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { Config } from '../config/config.ts'
import { platformWiring } from './create-app.ts'
import type { Application } from './declarations.ts'
import { runShutdownTasks } from './shutdown.ts'

export interface RunningServer {
  url: string
  port: number
  server: Server
  /** Graceful stop (same as stopApp). */
  close(): Promise<void>
}

export interface StopOptions {
  /** How long in-flight HTTP requests may take to finish before their connections are cut (default 10 s). */
  drainTimeoutMs?: number
}

interface ServerState {
  draining: boolean
}

const stateByServer = new WeakMap<Server, ServerState>()
const stopping = new WeakMap<Application, Promise<void>>()

export async function startServer(
  app: Application,
  config: Pick<Config, 'port' | 'host'>,
  stopOptions: StopOptions = {}
): Promise<RunningServer> {
  const server: Server = await (app as any).listen(config.port, config.host)
  if (!server.listening) await once(server, 'listening')
  const state: ServerState = { draining: false }
  stateByServer.set(server, state)
  // server.close() waits for in-flight requests itself; nothing is counted per request here.
  server.on('request', (_request, response) => {
    // During a drain, answer the in-flight request and close its connection (no more keep-alive).
    if (state.draining) response.setHeader('Connection', 'close')
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  app.get('logger').info({ port, host: config.host }, 'api listening')
  return { url: `http://${host}:${port}`, port, server, close: () => stopApp(app, stopOptions) }
}

async function drainHttp(server: Server, timeoutMs: number): Promise<void> {
  const state = stateByServer.get(server)
  if (state) state.draining = true
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  // Keep-alive sockets that finish their last response become idle: close them as they do.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50)
  const outcome = await Promise.race([closed.then(() => 'closed' as const), timedOut])
  clearInterval(idleSweep)
  clearTimeout(timer)
  if (outcome === 'timeout') {
    server.closeAllConnections()
    await closed
  }
}

/** Idempotent graceful stop of an app created by createApp (listening or not). */
export function stopApp(app: Application, options: StopOptions = {}): Promise<void> {
  const existing = stopping.get(app)
  if (existing) return existing
  const run = (async () => {
    const logger = app.get('logger')
    const step = async (name: string, fn: () => Promise<unknown> | unknown) => {
      try {
        await fn()
      } catch (error) {
        logger.error({ err: error, step: name }, 'shutdown step failed')
      }
    }
    const server: Server | undefined = (app as any).server
    const io = (app as any).io
    if (io) {
      await step('sockets', () => {
        io.disconnectSockets(true)
        io.engine?.close()
      })
    }
    if (server?.listening) await step('http', () => drainHttp(server, options.drainTimeoutMs ?? 10_000))
    await step('plugins', () => platformWiring(app).stopPlugins(app))
    // Feathers teardown runs the services' and other parts' teardown hooks (job workers, Redis clients);
    // the HTTP server is already closed, so the Koa wrapper must not close it again.
    ;(app as any).server = undefined
    await step('teardown', () => app.teardown())
    for (const failure of await runShutdownTasks(app)) {
      logger.error({ err: failure.error, task: failure.name }, 'shutdown task failed')
    }
    logger.info('api stopped')
  })()
  stopping.set(app, run)
  return run
}
