// Fixed-window rate limiter on Redis: one atomic Lua call per hit (INCR + PEXPIRE on the first hit), so
// every API process shares the same counters.
import type { Redis } from 'ioredis'

const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return { count, ttl }
`

export interface RateLimitRule {
  /** Names the limit in keys and logs: 'login-account', 'login-ip', 'http-ip', ... */
  name: string
  points: number
  durationSeconds: number
}

export interface RateLimitResult {
  allowed: boolean
  remaining: number
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number
}

export interface RateLimiter {
  /** Counts one hit for `subject` under `rule`. Rejects when Redis cannot answer (callers choose open/closed). */
  hit(rule: RateLimitRule, subject: string): Promise<RateLimitResult>
  /** Forgets the counter (e.g. after a successful login). */
  reset(rule: RateLimitRule, subject: string): Promise<void>
}

export function createRedisRateLimiter(redis: Redis, keyPrefix: string): RateLimiter {
  const keyOf = (rule: RateLimitRule, subject: string) => `${keyPrefix}:rl:${rule.name}:${subject}`
  return {
    async hit(rule, subject) {
      const windowMs = rule.durationSeconds * 1000
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, keyOf(rule, subject), windowMs)) as [
        number,
        number
      ]
      return {
        allowed: count <= rule.points,
        remaining: Math.max(0, rule.points - count),
        retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000))
      }
    },
    async reset(rule, subject) {
      await redis.del(keyOf(rule, subject))
    }
  }
}
