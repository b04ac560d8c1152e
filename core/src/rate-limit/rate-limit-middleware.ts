// Global per-IP request limit for HTTP (Koa), counted by the batched limiter (no Redis round trip per
// request; error bound in batched-rate-limiter.ts). Fails open when Redis is unreachable: a Redis outage must
// not take the whole API down; the sensitive endpoints (login, password reset) fail closed on their own.
import type { Middleware } from '@feathersjs/koa'
import type { Application } from '../app/declarations.ts'
import { rateLimited } from '../errors/codes.ts'
import type { RateLimitRule } from './redis-rate-limiter.ts'

export const HTTP_IP_RULE: RateLimitRule = { name: 'http-ip', points: 600, durationSeconds: 60 }

/** Counts every HTTP request per client IP under `rule` (default: the app's `access.httpLimit`). */
export function rateLimitMiddleware(app: Application, rule?: RateLimitRule): Middleware {
  return async (ctx, next) => {
    const ip = ctx.ip
    // The request-id middleware usually set it already: no second copy of the params object then.
    if ((ctx.feathers as { ip?: string } | undefined)?.ip !== ip)
      ctx.feathers = { ...ctx.feathers, ip } as typeof ctx.feathers
    try {
      const access = app.get('access')
      const limiter = access?.httpLimiter ?? access?.rateLimiter
      if (limiter) {
        let result: Awaited<ReturnType<typeof limiter.hit>> | undefined
        try {
          result = await limiter.hit(rule ?? access.httpLimit ?? HTTP_IP_RULE, ip)
        } catch (error) {
          app
            .get('logger')
            ?.warn({ err: { message: (error as Error).message } }, 'rate limit unavailable, failing open')
        }
        if (result && !result.allowed) throw rateLimited(result.retryAfterSeconds)
      }
      await next()
    } catch (error: any) {
      // Any 429/503 raised further in (hooks, login) gets its Retry-After header here.
      const retryAfter = error?.data?.retryAfterSeconds
      if ((error?.code === 429 || error?.code === 503) && typeof retryAfter === 'number')
        ctx.set('Retry-After', String(retryAfter))
      throw error
    }
  }
}
