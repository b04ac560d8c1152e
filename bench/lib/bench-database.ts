// The database a benchmark measures against. Production runs MongoDB in its own process, so by default the
// embedded engine is started as a child process too: its CPU, heap and garbage collection then stay out of
// the measured server, for the platform and the bare baseline alike. MONGODB_URI uses that database
// instead (a real mongod gives production figures); BENCH_DB=in-process keeps the engine in this process.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { startDatabase } from '../../core/src/devdb/harness.ts'

export interface BenchDatabase {
  /** Base URI without a database name, e.g. mongodb://127.0.0.1:40123/ */
  uri: string
  /** What the report prints: `external`, `embedded (own process)` or `embedded (in process)`. */
  engine: string
  /** A database URI for `name`; `?serverMonitoringMode=poll` for the embedded engine (no streaming hello). */
  uriFor(name: string): string
  stop(): Promise<void>
}

const quietLogger = { info() {}, warn() {}, error() {}, debug() {} }

export async function startBenchDatabase(): Promise<BenchDatabase> {
  const external = process.env.MONGODB_URI
  if (external) return handle(external, 'external', false, async () => {})
  if (process.env.BENCH_DB === 'in-process') {
    const db = await startDatabase({ logger: quietLogger as any })
    return handle(db.uri, `${db.engine} (in process)`, db.engine === 'embedded', db.stop)
  }
  const child = spawnDevDb()
  const uri = await readUri(child)
  return handle(uri, 'embedded (own process)', true, async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  })
}

/**
 * The engine keeps every document as live objects, so nearly all it allocates while writing survives: with
 * V8's default young generation (up to 64 MB here) each scavenge copies megabytes of fresh documents and
 * paused the engine 20-100 ms as the data grew (registration bench, 150k leads); a 2 MB semi-space keeps
 * those pauses near 1-2 ms for about twice the total scavenge time (bench/lib/engine-gc-pauses.ts). Same
 * flags as `npm run devdb`.
 */
export const DEVDB_NODE_FLAGS = ['--max-semi-space-size=2']
/** BENCH_DB_NODE_FLAGS replaces them for a comparison (an empty value: V8's defaults). */
const engineNodeFlags = (): string[] =>
  process.env.BENCH_DB_NODE_FLAGS === undefined
    ? DEVDB_NODE_FLAGS
    : process.env.BENCH_DB_NODE_FLAGS.split(' ').filter(Boolean)

function spawnDevDb(): ChildProcess {
  const cli = fileURLToPath(new URL('../../core/src/devdb/cli.ts', import.meta.url))
  // BENCH_DB_CPU_PROFILE=<dir>: the engine writes a CPU profile there when it stops (where its time goes).
  const profileDir = process.env.BENCH_DB_CPU_PROFILE
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
  const child = spawn(process.execPath, [...profile, ...engineNodeFlags(), cli, '--port', '0'], {
    env: { ...process.env, DEVDB_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  // A bench that crashes must not leave the engine running.
  process.once('exit', () => child.kill('SIGKILL'))
  return child
}

async function readUri(child: ChildProcess): Promise<string> {
  let output = ''
  for await (const chunk of child.stdout!) {
    output += chunk
    const line = output.split('\n').find((candidate) => candidate.startsWith('mongodb://'))
    if (line) return line.trim()
  }
  throw new Error(`devdb child exited before printing its URI (exit ${child.exitCode})`)
}

function handle(uri: string, engine: string, embedded: boolean, stop: () => Promise<void>): BenchDatabase {
  const base = uri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)[^?]*(\?.*)?$/, '$1/')
  const query = uri.includes('?') ? uri.slice(uri.indexOf('?')) : ''
  return {
    uri: base,
    engine,
    uriFor(name) {
      const monitoring = embedded ? 'serverMonitoringMode=poll' : ''
      const params = [query.replace(/^\?/, ''), monitoring].filter(Boolean).join('&')
      return `${base}${name}${params ? `?${params}` : ''}`
    },
    stop
  }
}
