// `npm start`: the whole platform with demo data on embedded defaults. Starts the database harness on
// .data/db, makes sure Redis answers, creates dev secrets once, seeds the demo packs once, then runs the
// API and worker as child processes until Ctrl-C.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { loadPacks } from '@masterstage/tenants'
import { pino } from 'pino'
// Relative: the devdb package entry exports the server, not the harness.
import { type DatabaseHandle, startDatabase } from '../../core/src/devdb/harness.ts'
import { demoSeedAppliedAt, markDemoSeedApplied } from './lib/demo-seed-marker.ts'
import { ensureDevSecrets } from './lib/dev-secrets.ts'
import { ensureRedis, type RedisHandle } from './lib/local-redis.ts'
import { redactUri, withDatabaseName } from './lib/mongo-uri.ts'
import { dataDir } from './lib/paths.ts'
import { platformEnv } from './lib/platform-env.ts'
import { platformProcesses } from './lib/platform-processes.ts'
import { removeRuntime, writeRuntime } from './lib/runtime-file.ts'
import { type ManagedProcess, startProcess, stopProcess, waitForHttp } from './lib/supervisor.ts'

const step = (message: string) => console.log(`▸ ${message}`)
// The banner says what the database is; its own info lines would only bury the progress output.
const databaseLogger = pino({ name: 'database', level: process.env.DEVDB_LOG_LEVEL ?? 'warn' })
const DATABASE_NAME = 'masterstage'

const data = dataDir()
const port = Number(process.env.PORT ?? 3030)
let database: DatabaseHandle | undefined
let redis: RedisHandle | undefined
const children: ManagedProcess[] = []
let shuttingDown = false

/** Children first (they finish in-flight work against the database), then Redis, then the database. */
async function shutdown(exitCode: number): Promise<void> {
  if (shuttingDown) return
  shuttingDown = true
  step('stopping the platform')
  await Promise.all(children.map((c) => stopProcess(c)))
  await redis?.stop()
  await database?.stop()
  removeRuntime(data)
  step('stopped')
  process.exit(exitCode)
}
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))
process.on('SIGHUP', () => void shutdown(0))

async function main(): Promise<void> {
  const { created } = ensureDevSecrets(data)
  step(created ? `created dev secrets in ${join(data, 'dev-secrets.json')}` : 'using existing dev secrets')

  step(`starting the database (data in ${join(data, 'db')}; first start can take a while)`)
  database = await startDatabaseWithFallback(join(data, 'db'))
  const mongoUri = process.env.MONGODB_URI ? database.uri : embeddedUri(database)
  step(`database ready: ${database.engine} at ${redactUri(mongoUri)}`)

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  step(`checking Redis at ${redisUrl}`)
  redis = await ensureRedis(redisUrl, join(data, 'redis'))
  step(redis.started ? 'started a local redis-server (stops with the platform)' : 'Redis answers')

  const env = platformEnv({ base: process.env, mongoUri, redisUrl, dataDir: data, port })

  const seededAt = await demoSeedAppliedAt(mongoUri)
  if (seededAt) step(`demo data already seeded on ${seededAt.toISOString()}: keeping it`)
  else {
    step('seeding the demo agency, tenants and users (once)')
    await runToCompletion('seed', [join('scripts', 'src', 'apply-tenants.ts'), '--demo-users'], env)
    step('seeding demo masterclasses and sandbox payment accounts (once)')
    await runToCompletion('seed', [join('scripts', 'src', 'seed-demo-content.ts')], env)
    await markDemoSeedApplied(mongoUri)
  }

  for (const spec of platformProcesses(env, port)) {
    step(`starting ${spec.name}`)
    const child = startProcess(spec)
    children.push(child)
    child.exited.then((code) => {
      if (child.stopping || shuttingDown) return
      if (!spec.critical) {
        console.error(`⚠ ${spec.name} exited (${code}); the API and worker keep running`)
        return
      }
      console.error(`✖ ${spec.name} exited unexpectedly (${code}): stopping the platform`)
      void shutdown(1)
    })
  }
  for (const spec of platformProcesses(env, port)) {
    if (!spec.readyUrl) continue
    const child = children.find((c) => c.spec.name === spec.name)!
    const ready = await waitForHttp(spec.readyUrl, 60_000, () => child.child.exitCode === null)
    if (!ready) {
      if (!shuttingDown) console.error(`✖ ${spec.name} did not answer on ${spec.readyUrl} within 60 s`)
      return shutdown(1)
    }
  }
  if (shuttingDown) return
  writeRuntime(data, { pid: process.pid, mongoUri, redisUrl, apiUrl: `http://127.0.0.1:${port}` })
  printBanner(port)
}

/**
 * The harness hands out a server URI; the platform uses its own database on it. The embedded engine gets
 * polling server monitoring: its streaming hello (moreToCome) breaks connection pools after start.
 */
function embeddedUri(handle: DatabaseHandle): string {
  const uri = withDatabaseName(handle.uri, DATABASE_NAME)
  if (handle.engine !== 'embedded') return uri
  return `${uri}${uri.includes('?') ? '&' : '?'}serverMonitoringMode=poll`
}

/** An engine that cannot persist yet still gives a working demo, with a loud warning that data is temporary. */
async function startDatabaseWithFallback(dbDir: string): Promise<DatabaseHandle> {
  try {
    return await startDatabase({ dataDir: dbDir, logger: databaseLogger })
  } catch (error) {
    if (!/not implemented/i.test((error as Error).message)) throw error
    console.warn(`⚠ the database engine cannot persist to ${dbDir} (${(error as Error).message}):`)
    console.warn('  running in memory: demo data is re-seeded on every start and lost on exit')
    return startDatabase({ logger: databaseLogger })
  }
}

function runToCompletion(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: 'inherit' })
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} failed (exit ${code})`))
    )
    child.once('error', reject)
  })
}

function printBanner(port: number): void {
  const { agencies, users } = loadPacks()
  const processes = platformProcesses({}, port)
  const storefront = processes.find((p) => p.name === 'storefront')
  const lines = ['', 'Masterstage is running.']
  for (const spec of processes) if (spec.url) lines.push(`  ${spec.name.padEnd(28)} ${spec.url}`)
  lines.push('', 'Tenants (the host name selects the tenant):')
  for (const agency of agencies) {
    for (const tenant of agency.tenants) {
      const site = storefront ? `http://${tenant.pack.slug}.localhost:${new URL(storefront.url!).port}` : ''
      const api = `API http://${tenant.pack.slug}.localhost:${port}`
      lines.push(`  ${tenant.pack.name.padEnd(28)} ${site ? `${site}  (${api})` : api}`)
    }
  }
  lines.push('', 'Demo logins (email / password):')
  for (const user of users) {
    const where = user.tenants?.length ? ` (${user.tenants.join(', ')})` : ''
    lines.push(`  ${user.role.padEnd(15)} ${user.email.padEnd(36)} ${user.password}${where}`)
  }
  lines.push('', 'Press Ctrl-C to stop.')
  console.log(lines.join('\n'))
}

main().catch(async (error: Error) => {
  console.error(`✖ ${error.message}`)
  await shutdown(1)
})
