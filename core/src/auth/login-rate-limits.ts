// Limits on password guessing: per account (email within its tenant) and per client IP. Both fail closed:
// when Redis cannot count, logins and reset requests are refused rather than left unlimited.
import type { Application } from '../app/declarations.ts'
import { rateLimited } from '../errors/codes.ts'
import { limiterUnavailable } from '../rate-limit/rate-limit-hook.ts'
import type { RateLimitResult, RateLimitRule } from '../rate-limit/redis-rate-limiter.ts'

export const LOGIN_ACCOUNT_RULE: RateLimitRule = {
  name: 'login-account',
  points: 5,
  durationSeconds: 15 * 60
}
export const LOGIN_IP_RULE: RateLimitRule = { name: 'login-ip', points: 30, durationSeconds: 15 * 60 }
export const RESET_ACCOUNT_RULE: RateLimitRule = {
  name: 'reset-account',
  points: 3,
  durationSeconds: 60 * 60
}
export const RESET_IP_RULE: RateLimitRule = { name: 'reset-ip', points: 20, durationSeconds: 60 * 60 }
/** Socket.io handshakes per client IP: each one may name a tenant (a directory lookup) from the client. */
export const SOCKET_HANDSHAKE_IP_RULE: RateLimitRule = {
  name: 'socket-handshake-ip',
  points: 120,
  durationSeconds: 60
}

export interface LoginLimits {
  loginAccount: RateLimitRule
  loginIp: RateLimitRule
  resetAccount: RateLimitRule
  resetIp: RateLimitRule
  socketHandshakeIp: RateLimitRule
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  loginAccount: LOGIN_ACCOUNT_RULE,
  loginIp: LOGIN_IP_RULE,
  resetAccount: RESET_ACCOUNT_RULE,
  resetIp: RESET_IP_RULE,
  socketHandshakeIp: SOCKET_HANDSHAKE_IP_RULE
}

/**
 * The counters one login attempt consumes. A staff account can be addressed from any tenant's host, so
 * its counter never depends on the tenant: otherwise every tenant header would grant fresh attempts.
 * Inside a tenant the tenant's own attendee counter is consumed too.
 */
export function accountSubjects(email: string, tenantId: string | undefined): string[] {
  return tenantId ? [`staff:${email}`, `${tenantId}:${email}`] : [`staff:${email}`]
}

/** Counts one attempt against every rule; throws 429 when any is exhausted, and also when Redis is down (fail closed). */
export async function consumeAttempt(
  app: Application,
  hits: readonly { rule: RateLimitRule; subject: string }[]
): Promise<void> {
  const limiter = app.get('access').rateLimiter
  let results: RateLimitResult[]
  try {
    results = await Promise.all(hits.map(({ rule, subject }) => limiter.hit(rule, subject)))
  } catch (error) {
    app
      .get('logger')
      ?.warn({ err: { message: (error as Error).message } }, 'login rate limit unavailable, refusing')
    throw limiterUnavailable()
  }
  const refused = results.filter((result) => !result.allowed)
  if (refused.length > 0) throw rateLimited(Math.max(...refused.map((result) => result.retryAfterSeconds)))
}
