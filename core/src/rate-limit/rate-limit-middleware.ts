// Global per-IP request limit for HTTP (Koa), counted by the batched limiter (no Redis round trip per
// request; error bound in batched-rate-limiter.ts). Socket.io calls count against the same budget
// (socket-call-limit.ts, through countIpRequest). Fails open when Redis is unreachable: a Redis outage must
// not take the whole API down; the sensitive endpoints (login, password reset) fail closed on their own.
// Also a request stage (app/request-stage.ts): a hit counted locally is decided without a promise.
import type { Middleware } from '@feathersjs/koa'
import type { Application } from '../app/declarations.ts'
import { type StagedMiddleware, stagedMiddleware } from '../app/request-stage.ts'
import { rateLimited } from '../errors/codes.ts'
import { countHit, type HitOutcome, warnAndFailOpen } from './count-hit.ts'
import type { RateLimitRule } from './redis-rate-limiter.ts'

export const HTTP_IP_RULE: RateLimitRule = { name: 'http-ip', points: 600, durationSeconds: 60 }

/**
 * Counts one request (an HTTP request or a Socket.io call) from `ip` under `rule` (default: the app's
 * `access.httpLimit`), so both transports share one budget per IP; undefined before access is configured.
 */
export function countIpRequest(
  app: Application,
  ip: string,
  unavailable: (error: Error) => void,
  rule?: RateLimitRule
): HitOutcome | Promise<HitOutcome> {
  const access = app.get('access')
  const limiter = access?.httpLimiter ?? access?.rateLimiter
  if (!limiter) return undefined
  return countHit(limiter, rule ?? access.httpLimit ?? HTTP_IP_RULE, ip, unavailable)
}

/**
 * Counts every HTTP request per client IP under `rule` (default: the app's `access.httpLimit`). As a Koa
 * middleware it also sets Retry-After on 429/503 errors raised further in; the platform's front middleware
 * runs only the stage, since its error handling sets that header itself.
 */
export function rateLimitMiddleware(app: Application, rule?: RateLimitRule): StagedMiddleware {
  const unavailable = warnAndFailOpen(() => app.get('logger'), 'rate limit unavailable, failing open')
  const judge = (result: HitOutcome) => {
    if (result && !result.allowed) throw rateLimited(result.retryAfterSeconds)
  }
  const stage = (ctx: any): void | Promise<void> => {
    const ip: string = ctx.ip
    // The front middleware usually set it already: no second copy of the params object then.
    const feathers = ctx.feathers
    if (!feathers) ctx.feathers = { ip }
    else if (feathers.ip !== ip) feathers.ip = ip
    const outcome = countIpRequest(app, ip, unavailable, rule)
    if (outcome instanceof Promise) return outcome.then(judge)
    judge(outcome)
  }
  const staged = stagedMiddleware(stage)
  const middleware = (async (ctx, next) => {
    try {
      await staged(ctx, next)
    } catch (error: any) {
      // Any 429/503 raised further in (hooks, login) gets its Retry-After header here.
      const retryAfter = error?.data?.retryAfterSeconds
      if ((error?.code === 429 || error?.code === 503) && typeof retryAfter === 'number')
        ctx.set('Retry-After', String(retryAfter))
      throw error
    }
  }) as Middleware as StagedMiddleware
  middleware.stage = stage
  return middleware
}
