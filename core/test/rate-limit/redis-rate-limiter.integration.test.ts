// The Redis limiter against real Redis: window counting, isolation by prefix and subject, expiry, reset,
// and atomicity under concurrent hits.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRedisRateLimiter } from '../../src/rate-limit/redis-rate-limiter.ts'

const redis = new Redis('redis://127.0.0.1:6379')
const prefix = `test-rl-${randomBytes(4).toString('hex')}`
const limiter = createRedisRateLimiter(redis, prefix)
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

describe('redis rate limiter', () => {
  it('allows `points` hits per window, then refuses with a retry delay', async () => {
    const rule = { name: 'basic', points: 3, durationSeconds: 30 }
    const results = []
    for (let i = 0; i < 4; i++) results.push(await limiter.hit(rule, 'alice'))
    expect(results.map((result) => result.allowed)).toEqual([true, true, true, false])
    expect(results.map((result) => result.remaining)).toEqual([2, 1, 0, 0])
    expect(results[3].retryAfterSeconds).toBeGreaterThan(0)
    expect(results[3].retryAfterSeconds).toBeLessThanOrEqual(30)
    const ttl = await redis.pttl(`${prefix}:rl:basic:alice`)
    expect(ttl).toBeGreaterThan(0)
  })

  it('keeps subjects, rules and prefixes apart', async () => {
    const rule = { name: 'apart', points: 1, durationSeconds: 30 }
    expect((await limiter.hit(rule, 'a')).allowed).toBe(true)
    expect((await limiter.hit(rule, 'a')).allowed).toBe(false)
    expect((await limiter.hit(rule, 'b')).allowed).toBe(true)
    expect((await limiter.hit({ ...rule, name: 'apart-2' }, 'a')).allowed).toBe(true)
    const other = createRedisRateLimiter(redis, `${prefix}-other`)
    expect((await other.hit(rule, 'a')).allowed).toBe(true)
    await redis.del(`${prefix}-other:rl:apart:a`)
  })

  it('opens a new window when the old one expires, and forgets on reset', async () => {
    const rule = { name: 'expiry', points: 1, durationSeconds: 1 }
    expect((await limiter.hit(rule, 'x')).allowed).toBe(true)
    expect((await limiter.hit(rule, 'x')).allowed).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect((await limiter.hit(rule, 'x')).allowed).toBe(true)
    expect((await limiter.hit(rule, 'x')).allowed).toBe(false)
    await limiter.reset(rule, 'x')
    expect((await limiter.hit(rule, 'x')).allowed).toBe(true)
  })

  it('counts concurrent hits atomically', async () => {
    const rule = { name: 'burst', points: 5, durationSeconds: 30 }
    const results = await Promise.all(Array.from({ length: 40 }, () => limiter.hit(rule, 'crowd')))
    expect(results.filter((result) => result.allowed)).toHaveLength(5)
  })
})
