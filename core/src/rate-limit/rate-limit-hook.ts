// Around-hook factory limiting a service method per IP, tenant, user or a custom key (429 RATE_LIMITED).
import type { FeathersError } from '@feathersjs/errors'
import type { Application, HookContext, NextFunction } from '../app/declarations.ts'
import { rateLimited, serviceUnavailable } from '../errors/codes.ts'
import { countHit } from './count-hit.ts'
import type { RateLimitRule } from './redis-rate-limiter.ts'

const RETRY_WHEN_LIMITER_DOWN_SECONDS = 5

export type RateLimitKey = 'ip' | 'tenant' | 'user' | ((context: HookContext) => string | undefined)

export interface RateLimitOptions {
  key: RateLimitKey
  points: number
  durationSeconds: number
  /** Distinguishes limits of different endpoints; defaults to `<path>.<method>`. */
  name?: string
  /** 'open' (default) lets calls through when Redis is down; 'closed' refuses them (503 SERVICE_UNAVAILABLE, Retry-After 5). */
  onRedisDown?: 'open' | 'closed'
  /**
   * 'exact' (default): one Redis round trip per call. 'batched': the HTTP limiter's local counting synced
   * every 100 ms (exact within a process and near the limit; bound in batched-rate-limiter.ts), for hot
   * public endpoints where a round trip per call costs throughput.
   */
  counting?: 'exact' | 'batched'
}

function subjectOf(key: RateLimitKey, context: HookContext): string | undefined {
  if (typeof key === 'function') return key(context)
  if (key === 'ip') return context.params.ip ?? 'unknown-ip'
  if (key === 'tenant') return context.params.tenant?.id
  return context.params.user?._id
}

export function rateLimit(options: RateLimitOptions) {
  const batched = options.counting === 'batched'
  // A named limit has one rule for every call; limiters never modify it.
  const namedRule: RateLimitRule | undefined =
    options.name === undefined
      ? undefined
      : { name: options.name, points: options.points, durationSeconds: options.durationSeconds }
  const unavailableFor = (app: Application, limit: string) => (error: Error) => {
    app.get('logger')?.warn({ err: { message: error?.message }, limit }, 'rate limit unavailable')
    if (options.onRedisDown === 'closed') throw limiterUnavailable()
  }
  return async (context: HookContext, next: NextFunction) => {
    // Internal calls (jobs, other services) are the platform's own work: never limited.
    if (context.params.provider === undefined) return next()
    const subject = subjectOf(options.key, context)
    const app = context.app as Application
    const access = app.get('access')
    const limiter = batched ? access?.httpLimiter : access?.rateLimiter
    if (subject === undefined || !limiter) return next()
    const rule: RateLimitRule = namedRule ?? {
      name: `${context.path}.${context.method}`,
      points: options.points,
      durationSeconds: options.durationSeconds
    }
    // Counted locally (the common case of batched counting): the same decision without hit()'s promise.
    let outcome = countHit(limiter, rule, subject, unavailableFor(app, rule.name))
    if (outcome instanceof Promise) outcome = await outcome
    if (outcome && !outcome.allowed) throw rateLimited(outcome.retryAfterSeconds)
    return next()
  }
}

/**
 * Fail-closed answer when the limiter cannot be consulted: 503 SERVICE_UNAVAILABLE with a short Retry-After
 * (the client did nothing wrong, so not a 429; the error handler lets 503s through with their code).
 */
export function limiterUnavailable(): FeathersError {
  return serviceUnavailable(RETRY_WHEN_LIMITER_DOWN_SECONDS)
}
