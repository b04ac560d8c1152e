import { Redis } from 'ioredis'
import type { Connection } from 'mongoose'
import type { Logger } from 'pino'
import type { Application } from './declarations.ts'
import { onShutdown } from './shutdown.ts'

export type DependencyState = 'up' | 'down'
export interface ReadinessReport {
  status: 'ready' | 'unavailable'
  checks: { mongodb: DependencyState; redis: DependencyState }
}

const PING_TIMEOUT_MS = 1_500

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function ping(name: string, check: () => Promise<unknown>, logger?: Logger): Promise<DependencyState> {
  try {
    await withTimeout(check(), PING_TIMEOUT_MS)
    return 'up'
  } catch (error) {
    logger?.warn({ dependency: name, err: { message: (error as Error).message } }, 'readiness check failed')
    return 'down'
  }
}

/** Readiness has its own Redis client: it must report Redis down without waiting on queued commands. */
function readinessRedis(app: Application): Redis {
  const redis = new Redis(app.get('config').redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: PING_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 500, 5_000)
  })
  let reported = false
  redis.on('error', (error) => {
    if (!reported) app.get('logger').warn({ err: { message: error.message } }, 'readiness redis unreachable')
    reported = true
  })
  redis.on('ready', () => {
    reported = false
  })
  onShutdown(app, 'readiness-redis', () => {
    redis.disconnect()
  })
  return redis
}

function waitUntilReady(redis: Redis, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      redis.off('ready', onReady)
      reject(new Error('redis not ready'))
    }, ms)
    redis.once('ready', onReady)
  })
}

export async function checkReadiness(
  connection: Connection,
  redis: Redis,
  logger?: Logger
): Promise<ReadinessReport> {
  if (redis.status === 'wait') redis.connect().catch(() => {})
  const [mongodb, redisState] = await Promise.all([
    ping(
      'mongodb',
      async () => {
        if (connection.readyState !== 1 || !connection.db) throw new Error('not connected')
        await connection.db.command({ ping: 1 })
      },
      logger
    ),
    ping(
      'redis',
      async () => {
        if (redis.status !== 'ready') await waitUntilReady(redis, 500)
        await redis.ping()
      },
      logger
    )
  ])
  const ready = mongodb === 'up' && redisState === 'up'
  return { status: ready ? 'ready' : 'unavailable', checks: { mongodb, redis: redisState } }
}

export type RouteHandler = (ctx: any) => void | Promise<void>

/** The GET/HEAD routes answered before any tenant resolution or rate limit, by exact path. */
export function healthRoutes(app: Application): ReadonlyMap<string, RouteHandler> {
  let redis: Redis | undefined
  return new Map<string, RouteHandler>([
    [
      '/health',
      (ctx) => {
        ctx.status = 200
        ctx.body = { status: 'ok', uptimeSeconds: Math.round(process.uptime()) }
      }
    ],
    [
      '/ready',
      async (ctx) => {
        redis ??= readinessRedis(app)
        const report = await checkReadiness(app.get('mongoose'), redis, app.get('logger'))
        ctx.status = report.status === 'ready' ? 200 : 503
        ctx.body = report
      }
    ]
  ])
}
