// Wires tenancy, users, authentication, realtime channels and rate limits into the app. createApp calls it
// once, after `config`, `logger` and `mongoose` are set and the transports are configured.
import { Redis } from 'ioredis'
import { closeRedis } from '../app/close-redis.ts'
import type { Application, HookContext, NextFunction } from '../app/declarations.ts'
import { startInvalidationBroadcast } from '../app/invalidation-broadcast.ts'
import { registerService } from '../app/register-service.ts'
import { useSocketMiddleware } from '../app/socket-middleware.ts'
import { createBatchedRateLimiter } from '../rate-limit/batched-rate-limiter.ts'
import { rateLimit } from '../rate-limit/rate-limit-hook.ts'
import { HTTP_IP_RULE } from '../rate-limit/rate-limit-middleware.ts'
import { createRedisRateLimiter, type RateLimitRule } from '../rate-limit/redis-rate-limiter.ts'
import { socketCallLimit } from '../rate-limit/socket-call-limit.ts'
import { configureConnectionChannels } from '../realtime/connection-channels.ts'
import { startRealtimeRelay } from '../realtime/realtime-relay.ts'
import { startRevocationBroadcast } from '../realtime/revocation-broadcast.ts'
import { socketTenantMiddleware } from '../realtime/socket-tenant.ts'
import { TENANT_SELECTION_PATH, TenantSelectionService } from '../realtime/tenant-selection-service.ts'
import { AGENCIES_PATH, AgenciesService } from '../tenancy/agencies-service.ts'
import { loadDerivationRoot } from '../tenancy/derivation-root.ts'
import { createSecretBox } from '../tenancy/secret-box.ts'
import { tenancyModels } from '../tenancy/tenancy-models.ts'
import { createTenantDirectory } from '../tenancy/tenant-directory.ts'
import { TENANTS_PATH, TenantsService } from '../tenancy/tenants-service.ts'
import type { AccessRuntime } from './access-runtime.ts'
import { setupAuthentication } from './authentication-setup.ts'
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-rate-limits.ts'
import {
  PASSWORD_RESET_REQUESTS_PATH,
  PASSWORD_RESETS_PATH,
  PasswordResetRequestsService,
  PasswordResetsService
} from './password-reset.ts'
import { createUserCache } from './user-cache.ts'
import { userModel } from './user-model.ts'
import { USERS_PATH, UsersService } from './users-service.ts'

export interface ConfigureAccessOptions {
  /** An existing ioredis client for the rate limiter (otherwise one is opened from config.redisUrl). */
  redis?: Redis
  /** Overrides of login/reset attempt limits (tests, stricter deployments). */
  limits?: Partial<LoginLimits>
  /** Global per-IP limit of HTTP requests and Socket.io calls together (default 600 per minute). */
  httpLimit?: RateLimitRule
}

const ADMINS = ['platform_admin', 'agency_admin'] as const

export async function configureAccess(app: Application, options: ConfigureAccessOptions = {}): Promise<void> {
  const config = app.get('config')
  const connection = app.get('mongoose')
  const tenancy = tenancyModels(connection)
  const User = userModel(connection)
  const secretBox = createSecretBox(config.encryptionKey, config.retiredEncryptionKeys)
  // First: a root no configured key unwraps stops the start before any connection is opened.
  const derivationRoot = await loadDerivationRoot(connection, {
    box: secretBox,
    platformKey: config.encryptionKey,
    fromPlatformKey: config.derivationRootFromKey ?? config.env !== 'production',
    logger: app.get('logger')
  })
  const redis = options.redis ?? openRedis(app)
  const invalidations = await startInvalidationBroadcast(
    redis,
    `${config.queuePrefix}:cache-invalidations`,
    app.get('logger')
  )
  // Served from cache only while other processes' invalidations can reach this one.
  const tenants = createTenantDirectory(tenancy, { enabled: invalidations.isLive })
  const users = createUserCache(undefined, undefined, invalidations.isLive)
  invalidations.on('user', (userId) => users.invalidate(userId))
  invalidations.on('tenants', () => tenants.invalidate())
  const runtime: AccessRuntime = {
    tenancy,
    tenants,
    secretBox,
    derivationRoot,
    User,
    rateLimiter: createRedisRateLimiter(redis, config.queuePrefix),
    httpLimiter: createBatchedRateLimiter(redis, config.queuePrefix, { logger: app.get('logger') }),
    limits: { ...DEFAULT_LOGIN_LIMITS, ...options.limits },
    httpLimit: options.httpLimit ?? HTTP_IP_RULE,
    redis,
    revocations: await startRevocationBroadcast(app, redis),
    realtime: await startRealtimeRelay(app, redis),
    invalidations,
    users
  }
  app.set('access', runtime)
  // The plugin host reads tenants through the same directory, so tenant writes invalidate its cache too.
  ;(app as any).set('tenantDirectory', tenants)
  // Unique indexes (slug, emailKey) must exist before the first write relies on them.
  await Promise.all([tenancy.Agency.init(), tenancy.Tenant.init(), tenancy.TenantDomain.init(), User.init()])

  registerService(app, {
    path: AGENCIES_PATH,
    service: new AgenciesService(app),
    methods: ['find', 'get', 'create', 'patch'],
    access: { find: [...ADMINS], get: [...ADMINS], create: ['platform_admin'], patch: [...ADMINS] },
    tenantScoped: false
  })
  registerService(app, {
    path: TENANTS_PATH,
    service: new TenantsService(app),
    methods: ['find', 'get', 'create', 'patch', 'enablePlugin', 'disablePlugin'],
    access: {
      find: 'authenticated',
      get: 'authenticated',
      create: [...ADMINS],
      patch: [...ADMINS],
      enablePlugin: [...ADMINS],
      disablePlugin: [...ADMINS]
    },
    tenantScoped: false
  })
  registerService(app, {
    path: USERS_PATH,
    service: new UsersService(app),
    methods: ['find', 'get', 'create', 'patch', 'remove', 'createStaff', 'setAccess'],
    access: {
      find: 'authenticated',
      get: 'authenticated',
      create: 'public',
      patch: 'authenticated',
      remove: [...ADMINS],
      createStaff: [...ADMINS],
      setAccess: [...ADMINS]
    },
    tenantScoped: false,
    hooks: {
      around: {
        create: [rateLimit({ key: 'ip', points: 10, durationSeconds: 3600, name: 'registration-ip' })]
      }
    }
  })
  registerService(app, {
    path: PASSWORD_RESET_REQUESTS_PATH,
    service: new PasswordResetRequestsService(app),
    methods: ['create'],
    access: { create: 'public' },
    tenantScoped: false
  })
  registerService(app, {
    path: PASSWORD_RESETS_PATH,
    service: new PasswordResetsService(app),
    methods: ['create'],
    access: { create: 'public' },
    tenantScoped: false
  })
  registerService(app, {
    path: TENANT_SELECTION_PATH,
    service: new TenantSelectionService(app),
    methods: ['create'],
    access: { create: 'authenticated' },
    tenantScoped: false
  })
  setupAuthentication(app)

  // Feathers' generated default publishes every event to every authenticated connection, across tenants.
  // Here nothing is published unless a service routes it (registerRealtimeAudience).
  app.publish(() => null as any)
  configureConnectionChannels(app)
  // Installed by createApp's Socket.io setup, after Feathers' own handshake middleware.
  useSocketMiddleware(app, socketTenantMiddleware(app))
  // Socket.io calls share the per-IP budget of HTTP requests (the IP is the tenant middleware's).
  useSocketMiddleware(app, socketCallLimit(app))
  app.hooks({
    teardown: [
      async (_context: HookContext, next: NextFunction) => {
        await next()
        await runtime.revocations.close()
        await runtime.realtime.close()
        await runtime.invalidations.close()
        await runtime.httpLimiter.close()
        if (!options.redis) await closeRedis(redis)
      }
    ]
  } as any)
}

function openRedis(app: Application): Redis {
  const redis = new Redis(app.get('config').redisUrl, {
    // Fail fast instead of queueing: the limiter decides per use whether to fail open or closed.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000)
  })
  let reported = false
  redis.on('error', (error) => {
    if (reported) return
    reported = true
    app.get('logger')?.warn({ err: { message: error.message } }, 'rate-limit redis connection error')
  })
  redis.on('ready', () => {
    reported = false
  })
  return redis
}
