// The one test bootstrap of the platform: the production createApp (Koa REST + Socket.io, tenancy, auth,
// plugin host) on a fresh harness database and a per-file Redis prefix, listening on a random port, with
// the given plugins and seed; returns typed HTTP and socket clients and tears everything down on close.
import type { Connection } from 'mongoose'
import { createApp } from '../../src/app/create-app.ts'
import type { Application } from '../../src/app/declarations.ts'
import { startServer, stopApp } from '../../src/app/server.ts'
import { type ConfigureAccessOptions, configureAccess } from '../../src/auth/configure-access.ts'
import type { Config } from '../../src/config/config.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { type ConfigureEventsOptions, configureEvents } from '../../src/events/configure-events.ts'
import { JobRegistry } from '../../src/jobs/job-registry.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { freePort } from './free-port.ts'
import { type ApiClient, api } from './http-client.ts'
import { MemoryEmailProvider } from './memory-email.ts'
import { RecordingEventBus } from './recording-event-bus.ts'
import { TEST_PASSWORD } from './seed-platform.ts'
import { connectSocket, type TestSocket } from './socket-client.ts'
import { platformTestConfig } from './test-config.ts'

/**
 * How domain events are wired:
 * - `'memory'`: recorded in memory (no queues, no workers), for tests of the code that emits them;
 * - `{ durable }`: the real durable bus, outbox relay and Bull queues on Redis (options shorten retries);
 * - a function: the caller wires events, jobs and email itself.
 */
export type TestEvents =
  | 'memory'
  | { durable: ConfigureEventsOptions }
  | ((app: Application) => Promise<void>)

export interface TestPlatformOptions<Seed = undefined> {
  plugins?: readonly PluginManifest[]
  /** Overrides of the generated config (platformTestConfig). */
  config?: Partial<Config>
  /** The database belongs to another app of the test (same `config.mongoUri`): close leaves it to that app. */
  sharedDatabase?: boolean
  /** Default `'memory'`. */
  events?: TestEvents
  /** `'memory'` (default): sent mail is kept in `platform.email`; `'configured'`: the config's provider. */
  email?: 'memory' | 'configured'
  /** Access wiring options (rate limits, Redis); when absent the production defaults apply. */
  access?: ConfigureAccessOptions
  /** Listen on a port chosen before the app is built, so `config.port` and `publicApiUrl` name the real URL. */
  knownPort?: boolean
  /** Registers extra services (fixtures) once core and the plugins are loaded, before the app listens. */
  register?: (app: Application) => void | Promise<void>
  /** Seeds data once the app listens (plugins started); its result is `platform.seed`. */
  seed?: (app: Application) => Promise<Seed>
}

export interface TestPlatform<Seed = undefined> {
  app: Application
  url: string
  port: number
  config: Config
  seed: Seed
  http: ApiClient
  /** Sent mail when `email` is `'memory'`. */
  email: MemoryEmailProvider | undefined
  /** Emitted events when `events` is `'memory'`. */
  events: RecordingEventBus | undefined
  /** Logs in with the local strategy (seeded password by default); throws unless 201. */
  login(email: string, options?: { password?: string; tenant?: string }): Promise<string>
  /** A Socket.io client connected to this app (`auth` as the handshake's, e.g. `{ token }`). */
  socket(auth?: Record<string, unknown>): Promise<TestSocket>
  /** Graceful stop (the production path), then the test database is dropped and its connection closed. */
  close(): Promise<void>
}

async function testConfig(name: string, options: TestPlatformOptions<unknown>): Promise<Config> {
  if (!options.knownPort) return platformTestConfig(name, options.config)
  const port = await freePort()
  return platformTestConfig(name, { port, publicApiUrl: `http://127.0.0.1:${port}`, ...options.config })
}

function eventsWiring(
  events: TestEvents,
  email: MemoryEmailProvider | undefined,
  recorder: RecordingEventBus | undefined
) {
  return async (app: Application) => {
    if (events === 'memory') {
      app.set('events', recorder!)
      // Fixture plugins define no jobs: the registry never needs its queue factory here.
      app.set('jobs', new JobRegistry(undefined as any))
    } else if (typeof events === 'function') {
      await events(app)
    } else {
      await configureEvents(app, events.durable)
    }
    if (email) app.set('email', email)
  }
}

export async function startTestPlatform<Seed = undefined>(
  name: string,
  options: TestPlatformOptions<Seed> = {}
): Promise<TestPlatform<Seed>> {
  const config = await testConfig(name, options)
  const events = options.events ?? 'memory'
  const email = options.email === 'configured' ? undefined : new MemoryEmailProvider()
  const recorder = events === 'memory' ? new RecordingEventBus() : undefined
  // The test owns the connection: the graceful stop leaves it open so the database can be dropped after.
  const connection: Connection = await connectDatabase(config.mongoUri)
  let app: Application | undefined
  try {
    app = await createApp({
      config,
      connection,
      plugins: options.plugins ?? [],
      wiring: {
        configureEvents: eventsWiring(events, email, recorder),
        ...(options.access && { configureAccess: (target) => configureAccess(target, options.access) })
      }
    })
    await options.register?.(app)
    const server = await startServer(app, config)
    const started = app
    const http = api(server.url)
    return {
      app,
      url: server.url,
      port: server.port,
      config,
      seed: (await options.seed?.(app)) as Seed,
      http,
      email,
      events: recorder,
      async login(userEmail, { password = TEST_PASSWORD, tenant } = {}) {
        const response = await http.login(userEmail, password, { tenant })
        if (response.status !== 201)
          throw new Error(`login of ${userEmail} failed: ${response.status} ${response.text}`)
        return response.body.accessToken as string
      },
      socket: (auth = {}) => connectSocket(server.url, auth),
      async close() {
        await stopApp(started)
        if (!options.sharedDatabase) await dropDatabaseFully(connection)
        await connection.close().catch(() => undefined)
      }
    }
  } catch (error) {
    // A failed start (bad plugin, seed error) must not leave workers, queues or the connection behind.
    if (app) await stopApp(app).catch(() => undefined)
    if (!options.sharedDatabase) await dropDatabaseFully(connection)
    await connection.close().catch(() => undefined)
    throw error
  }
}

/**
 * Drops the test database until it stays gone: a write still in flight from the stopped app (an index
 * build, an outbox relay tick) can recreate it right after a single drop.
 */
async function dropDatabaseFully(connection: Connection): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await connection.dropDatabase().catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const listed = await connection
      .db!.admin()
      .listDatabases({ nameOnly: true })
      .catch(() => undefined)
    // Unlistable (connection gone): nothing more can be done from here.
    if (!listed?.databases.some((database) => database.name === connection.name)) return
  }
}
