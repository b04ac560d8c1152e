// One database for tests and the demo: MONGODB_URI, else an already-downloaded mongod, else the embedded devdb.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { start } from './index.ts'
import { type DevDbLogger, defaultLogger } from './logger.ts'

export type DatabaseEngine = 'external' | 'mongodb-memory-server' | 'embedded'

export interface DatabaseHandle {
  // Base URI without a database name, e.g. mongodb://127.0.0.1:40123/
  uri: string
  engine: DatabaseEngine
  stop(): Promise<void>
}

export interface StartDatabaseOptions {
  dataDir?: string
  logger?: DevDbLogger
  // How long mongodb-memory-server may take to start an existing binary before we fall back.
  memoryServerTimeoutMs?: number
}

export async function startDatabase(options: StartDatabaseOptions = {}): Promise<DatabaseHandle> {
  const logger = options.logger ?? defaultLogger()
  const external = process.env.MONGODB_URI
  if (external) {
    logger.info({ engine: 'external', uri: redact(external) }, 'database harness: using MONGODB_URI')
    return { uri: external, engine: 'external', stop: async () => {} }
  }
  if (process.env.DEVDB_ENGINE !== 'embedded') {
    const memory = await tryMemoryServer(options, logger)
    if (memory) return memory
  }
  const db = await start({ port: 0, dataDir: options.dataDir, logger })
  logger.info({ engine: 'embedded', uri: db.uri }, 'database harness: using the embedded devdb')
  return { uri: db.uri, engine: 'embedded', stop: db.stop }
}

async function locateMongod(): Promise<string | undefined> {
  const system = process.env.MONGOMS_SYSTEM_BINARY
  if (system) return existsSync(system) ? system : undefined
  // Importing mongodb-memory-server costs seconds; only do it when one of its caches exists at all.
  const caches = [
    process.env.MONGOMS_DOWNLOAD_DIR,
    join(process.cwd(), 'node_modules', '.cache', 'mongodb-memory-server'),
    join(homedir(), '.cache', 'mongodb-binaries')
  ]
  if (!caches.some((dir) => dir && existsSync(dir))) return undefined
  try {
    const { DryMongoBinary } = await import('mongodb-memory-server')
    // locateBinary only looks at the system binary and the download cache; it never downloads.
    return await DryMongoBinary.locateBinary({ version: process.env.MONGOMS_VERSION ?? '8.2.6' })
  } catch {
    return undefined
  }
}

async function tryMemoryServer(
  options: StartDatabaseOptions,
  logger: DevDbLogger
): Promise<DatabaseHandle | null> {
  const binary = await locateMongod()
  if (!binary) return null
  const timeoutMs = options.memoryServerTimeoutMs ?? 8000
  let timer: NodeJS.Timeout | undefined
  let timedOut = false
  try {
    const { MongoMemoryReplSet } = await import('mongodb-memory-server')
    const starting = MongoMemoryReplSet.create({
      binary: { systemBinary: binary },
      replSet: { count: 1, storageEngine: 'wiredTiger' },
      instanceOpts: options.dataDir ? [{ dbPath: options.dataDir }] : undefined
    })
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true
        reject(new Error(`mongod did not start within ${timeoutMs}ms`))
      }, timeoutMs)
    })
    // A start that loses the race is stopped once it finishes, so no stray mongod outlives the harness.
    starting.then((late) => timedOut && late.stop()).catch(() => {})
    const replSet = await Promise.race([starting, timeout])
    const uri = replSet.getUri()
    logger.info(
      { engine: 'mongodb-memory-server', binary, uri },
      'database harness: using mongodb-memory-server'
    )
    return { uri, engine: 'mongodb-memory-server', stop: async () => void (await replSet.stop()) }
  } catch (err) {
    logger.warn(
      { err: (err as Error).message, binary },
      'database harness: mongodb-memory-server unavailable, falling back'
    )
    return null
  } finally {
    clearTimeout(timer)
  }
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@')
}
