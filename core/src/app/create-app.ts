// Builds the API application: Feathers 5 on Koa with REST and Socket.io, the app's own mongoose
// connection, and every platform part wired in a fixed order (see createApp).
import { feathers } from '@feathersjs/feathers'
import { bodyParser, koa, rest } from '@feathersjs/koa'
import socketio from '@feathersjs/socketio'
import type { Connection } from 'mongoose'
import type { Logger } from 'pino'
import { configureAccess } from '../auth/configure-access.ts'
import { parseAuthenticationStage } from '../auth/parse-authentication-stage.ts'
import type { Config } from '../config/config.ts'
import { connectDatabase } from '../data/connect.ts'
import { configureEvents } from '../events/configure-events.ts'
import { createLogger, flushLogger } from '../logging/logger.ts'
import { loadPlugins, startPlugins, stopPlugins } from '../plugins/load-plugins.ts'
import type { PluginManifest } from '../plugins/plugin-manifest.ts'
import { rateLimitMiddleware } from '../rate-limit/rate-limit-middleware.ts'
import { resolveTenantMiddleware } from '../tenancy/resolve-tenant-middleware.ts'
import { configureWebApi } from '../web-api/configure-web-api.ts'
import { trustedHops } from './client-ip.ts'
import type { Application } from './declarations.ts'
import { healthRoutes } from './health.ts'
import { platformFront } from './platform-front.ts'
import { restServiceCall } from './rest-service-call.ts'
import { maskUnexpectedErrors } from './service-errors.ts'
import { onShutdown } from './shutdown.ts'
import { socketMiddlewares } from './socket-middleware.ts'

/** The other engineers' parts, injectable so unit tests of the bootstrap can stub them. */
export interface PlatformWiring {
  rateLimitMiddleware: typeof rateLimitMiddleware
  resolveTenantMiddleware: typeof resolveTenantMiddleware
  configureEvents: (app: Application) => Promise<void>
  configureAccess: (app: Application) => Promise<void>
  configureWebApi: (app: Application) => void
  loadPlugins: typeof loadPlugins
  startPlugins: typeof startPlugins
  stopPlugins: typeof stopPlugins
}

const PLATFORM_WIRING: PlatformWiring = {
  rateLimitMiddleware,
  resolveTenantMiddleware,
  configureEvents: (app) => configureEvents(app),
  configureAccess: (app) => configureAccess(app),
  configureWebApi,
  loadPlugins,
  startPlugins,
  stopPlugins
}

export interface CreateAppOptions {
  config: Config
  logger?: Logger
  plugins?: readonly PluginManifest[]
  /** An existing connection (tests, scripts); otherwise one is opened from config.mongoUri and closed on stop. */
  connection?: Connection
  /** Test seam only: replaces parts of the platform wiring. */
  wiring?: Partial<PlatformWiring>
}

const wiringByApp = new WeakMap<Application, PlatformWiring>()

export function platformWiring(app: Application): PlatformWiring {
  return wiringByApp.get(app) ?? PLATFORM_WIRING
}

/**
 * Order: config/logger/connection → Koa middleware (request id, access log, errors, health,
 * raw-body routes, body parser, rate limit, tenant, credentials) → REST → Socket.io → events → access → plugins. `app.setup()` (listen) starts plugins.
 */
export async function createApp(options: CreateAppOptions): Promise<Application> {
  const { config } = options
  const wiring: PlatformWiring = { ...PLATFORM_WIRING, ...options.wiring }
  const logger = options.logger ?? createLogger({ level: config.logLevel })
  const connection = options.connection ?? (await connectDatabase(config.mongoUri, { logger }))

  const app = koa(feathers()) as unknown as Application
  wiringByApp.set(app, wiring)
  app.set('config', config)
  app.set('logger', logger)
  app.set('mongoose', connection)
  // Registered first so it runs last: the lines of every other shutdown step are written out too.
  onShutdown(app, 'logs', () => flushLogger(logger))
  if (!options.connection) onShutdown(app, 'mongodb', () => connection.close())
  if (trustedHops(config.trustProxy) > 0) {
    // Koa then takes the client from the right-most `hops` X-Forwarded-For entries, as clientIp() does.
    ;(app as any).proxy = true
    ;(app as any).maxIpsCount = trustedHops(config.trustProxy)
  }

  // One middleware for the whole front (platform-front.ts): request id, access log, errors, health,
  // raw-body routes, body parser, rate limit, tenant, credentials, in that order.
  app.use(
    platformFront({
      app,
      logger,
      routes: healthRoutes(app),
      bodyParser: bodyParser({
        jsonLimit: config.bodyLimitBytes,
        formLimit: config.bodyLimitBytes,
        textLimit: config.bodyLimitBytes,
        multipart: false
      } as any),
      stages: [
        wiring.rateLimitMiddleware(app),
        wiring.resolveTenantMiddleware(app),
        parseAuthenticationStage(app)
      ],
      serviceCall: restServiceCall(app)
    })
  )
  // Credentials are read by the front's last stage (synchronously for the JWT header): Feathers' own
  // parsing middleware is told there is nothing left for it to parse. The front calls services itself
  // (restServiceCall); these middleware answer what it leaves to Koa's chain.
  app.configure(rest({ authentication: { strategies: [] } }))
  app.configure(
    socketio(
      {
        cors: { origin: [...config.corsOrigins], credentials: true },
        maxHttpBufferSize: config.bodyLimitBytes
      },
      (io) => {
        for (const middleware of socketMiddlewares(app)) io.use(middleware)
      }
    )
  )
  app.hooks({ around: { all: [maskUnexpectedErrors(logger)] } })

  await wiring.configureEvents(app)
  await wiring.configureAccess(app)
  wiring.configureWebApi(app)
  await wiring.loadPlugins(app, options.plugins ?? [])

  app.hooks({
    setup: [
      async (_context: any, next: () => Promise<void>) => {
        await next()
        await wiring.startPlugins(app)
      }
    ]
  } as any)
  return app
}
