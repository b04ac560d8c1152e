// Public API of the embedded MongoDB-compatible dev database: start({ port, host, dataDir, logger }).
import { Engine } from './engine.ts'
import { expireDocuments } from './exec/ttl-monitor.ts'
import { openDurableStore } from './journal/durable-store.ts'
import { type DevDbLogger, defaultLogger } from './logger.ts'
import { WireServer } from './server.ts'

export type { DevDbLogger } from './logger.ts'

export interface StartOptions {
  port?: number
  host?: string
  dataDir?: string
  logger?: DevDbLogger
  // Journal size that triggers a snapshot + new journal generation (default 64 MiB).
  compactBytes?: number
  // How often TTL indexes are enforced (default 60 s, like mongod's ttlMonitorSleepSecs).
  ttlMonitorIntervalMs?: number
}

export interface RunningDevDb {
  uri: string
  port: number
  stop(): Promise<void>
}

const MAINTENANCE_INTERVAL_MS = 1000
const TRANSACTION_LIFETIME_MS = 60_000
const SESSION_TIMEOUT_MS = 30 * 60_000

export async function start(options: StartOptions = {}): Promise<RunningDevDb> {
  const logger = options.logger ?? defaultLogger()
  const host = options.host ?? '127.0.0.1'
  const engine = new Engine(logger)
  if (options.dataDir)
    engine.persistence = await openDurableStore(engine, options.dataDir, {
      compactBytes: options.compactBytes
    })
  const server = new WireServer(engine)
  let port: number
  try {
    port = await server.listen(options.port ?? 0, host)
  } catch (err) {
    await engine.persistence?.close()
    throw err
  }
  engine.address = `${host}:${port}`
  const ttlEvery = options.ttlMonitorIntervalMs ?? 60_000
  let lastTtl = Date.now()
  const timer = setInterval(
    () => {
      maintenance(engine)
      if (Date.now() - lastTtl >= ttlEvery) {
        lastTtl = Date.now()
        expireDocuments(engine)
      }
    },
    Math.min(MAINTENANCE_INTERVAL_MS, ttlEvery)
  )
  timer.unref()
  logger.info({ address: engine.address, dataDir: options.dataDir ?? null }, 'devdb listening')
  let stopped: Promise<void> | null = null
  return {
    uri: `mongodb://${host}:${port}/`,
    port,
    stop: () => {
      stopped ??= (async () => {
        clearInterval(timer)
        await server.close()
        await engine.persistence?.close()
        logger.info({ address: engine.address }, 'devdb stopped')
      })()
      return stopped
    }
  }
}

function maintenance(engine: Engine): void {
  const now = Date.now()
  engine.cursors.reap(now)
  for (const session of engine.sessions.sessions.values()) {
    const txn = session.txn
    if (txn && txn.state === 'active' && now - txn.lastUse > TRANSACTION_LIFETIME_MS) {
      engine.abortTransaction(txn, 'transaction exceeded its lifetime limit')
    }
  }
  for (const session of engine.sessions.expired(now, SESSION_TIMEOUT_MS)) {
    if (session.txn) engine.abortTransaction(session.txn, 'session expired')
    engine.sessions.end(session.id)
  }
}
