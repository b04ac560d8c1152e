// The batched per-IP limiter against real Redis: exact in one process, counts reach the shared Redis
// counter in batches (far fewer commands than hits), two "processes" stay within the documented bound,
// and a Redis outage fails open without losing the counts.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it, vi } from 'vitest'
import {
  type BatchedRateLimiter,
  createBatchedRateLimiter,
  FLUSH_COMMAND
} from '../../src/rate-limit/batched-rate-limiter.ts'

const redis = new Redis('redis://127.0.0.1:6379')
const prefix = `test-brl-${randomBytes(4).toString('hex')}`
const opened: { limiter: BatchedRateLimiter; client: Redis }[] = []

/** One "API process": its own Redis connection (counted) and limiter. */
function processLimiter(flushIntervalMs = 50, logger?: { warn(object: object, message: string): void }) {
  const client = new Redis('redis://127.0.0.1:6379')
  const counted = { commands: 0 }
  // Counts round trips: single commands and whole pipelines alike.
  const sendCommand = client.sendCommand.bind(client)
  client.sendCommand = ((...args: Parameters<typeof sendCommand>) => {
    counted.commands++
    return sendCommand(...args)
  }) as typeof client.sendCommand
  const limiter = createBatchedRateLimiter(client, prefix, { flushIntervalMs, logger })
  opened.push({ limiter, client })
  return { limiter, client, counted }
}

afterAll(async () => {
  for (const { limiter, client } of opened) {
    await limiter.close()
    await client.quit()
  }
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

const hits = async (limiter: BatchedRateLimiter, rule: any, subject: string, count: number) => {
  const results = []
  for (let i = 0; i < count; i++) results.push(await limiter.hit(rule, subject))
  return results
}

describe('batched rate limiter', () => {
  it('decides locally counted hits without Redis (hitLocally), and defers to hit() whenever Redis must answer', async () => {
    const { limiter, counted } = processLimiter(60_000)
    const rule = { name: 'local', points: 40, durationSeconds: 30 }
    // A subject's first hit in a window is asked of Redis.
    expect(limiter.hitLocally(rule, 'carol')).toBeUndefined()
    expect((await limiter.hit(rule, 'carol')).allowed).toBe(true)
    const before = counted.commands
    const local = []
    for (let i = 0; i < 40; i++) {
      const result = limiter.hitLocally(rule, 'carol')
      if (!result) break
      local.push(result)
    }
    // Counted here without a round trip, until fewer than 10 % of the points remain (exact from then on).
    expect(counted.commands).toBe(before)
    expect(local.length).toBe(35)
    expect(local.every((result) => result.allowed)).toBe(true)
    expect(local.at(-1)!.remaining).toBe(4)
    // The rest goes through hit() (Redis), and the same total budget holds: 40 in all.
    const rest = await hits(limiter, rule, 'carol', 10)
    expect(rest.filter((result) => result.allowed)).toHaveLength(4)
    // Over the limit it stays so without asking Redis, locally too.
    expect(limiter.hitLocally(rule, 'carol')).toMatchObject({ allowed: false, remaining: 0 })
  })

  it('allows exactly `points` hits per window in one process, then refuses with a retry delay', async () => {
    const { limiter } = processLimiter()
    const rule = { name: 'exact', points: 50, durationSeconds: 30 }
    const results = await hits(limiter, rule, 'alice', 80)
    expect(results.filter((result) => result.allowed)).toHaveLength(50)
    expect(results.slice(0, 50).every((result) => result.allowed)).toBe(true)
    expect(results[79]).toMatchObject({ allowed: false, remaining: 0 })
    expect(results[79].retryAfterSeconds).toBeGreaterThan(0)
    expect(results[79].retryAfterSeconds).toBeLessThanOrEqual(30)
    // Another subject has its own window.
    expect((await limiter.hit(rule, 'bob')).allowed).toBe(true)
  })

  it('adds hits to the shared Redis counter in batches, not one round trip per hit', async () => {
    const { limiter, counted } = processLimiter()
    const rule = { name: 'batched', points: 1_000_000, durationSeconds: 60 }
    await hits(limiter, rule, 'carol', 2_000)
    await limiter.flush()
    expect(Number(await redis.get(`${prefix}:rl:batched:carol`))).toBe(2_000)
    // First hit asks Redis; the rest go out with the flushes (a handful for a run this short).
    expect(counted.commands).toBeLessThan(50)
  })

  it('sends the counts of every subject of a flush in one command per 1,000 subjects', async () => {
    const { limiter, counted } = processLimiter(60_000)
    const rule = { name: 'many', points: 1_000, durationSeconds: 60 }
    const subjects = Array.from({ length: 1_500 }, (_, index) => `203.0.113.${index}`)
    // First hits open the windows (asked of Redis); then three more each, counted locally.
    for (const subject of subjects) await limiter.hit(rule, subject)
    for (let round = 0; round < 3; round++)
      for (const subject of subjects) expect(limiter.hitLocally(rule, subject)?.allowed).toBe(true)
    const before = counted.commands
    await limiter.flush()
    expect(counted.commands - before).toBe(2)
    const stored = await redis.mget(subjects.map((subject) => `${prefix}:rl:many:${subject}`))
    expect(stored.every((count) => count === '4')).toBe(true)
    const ttls = await Promise.all(subjects.slice(0, 5).map((s) => redis.pttl(`${prefix}:rl:many:${s}`)))
    expect(ttls.every((ttl) => ttl > 0 && ttl <= 60_000)).toBe(true)
  })

  it('counts the other keys of a flush exactly once when Redis refuses one of them', async () => {
    const logger = { warn: vi.fn() }
    const { limiter } = processLimiter(60_000, logger)
    const rule = { name: 'mixed', points: 1_000, durationSeconds: 60 }
    // The broken subject's own ceiling (same key), small enough to reach within the test.
    const brokenRule = { ...rule, points: 20 }
    const subjects = ['198.51.100.1', '198.51.100.2', '198.51.100.3']
    const ruleOf = (subject: string) => (subject === subjects[1] ? brokenRule : rule)
    for (const subject of subjects) await limiter.hit(ruleOf(subject), subject)
    for (const subject of subjects) limiter.hitLocally(ruleOf(subject), subject)
    // Something else took the second subject's key: INCRBY fails on it.
    const broken = `${prefix}:rl:mixed:${subjects[1]}`
    await redis.del(broken)
    await redis.hset(broken, 'not', 'a counter')
    await limiter.flush()
    await limiter.flush()
    expect(await redis.get(`${prefix}:rl:mixed:${subjects[0]}`)).toBe('2')
    expect(await redis.get(`${prefix}:rl:mixed:${subjects[2]}`)).toBe('2')
    expect(await redis.hget(broken, 'not')).toBe('a counter')

    // Its refused counts stay counted here across flushes: once they reach its points it is refused locally
    // (near the limit hit() asks Redis, which fails on the key: the caller fails open, the hit still counts).
    let allowed = 2
    for (let i = 0; i < 3 * brokenRule.points; i++) {
      const result =
        limiter.hitLocally(brokenRule, subjects[1]) ??
        (await limiter.hit(brokenRule, subjects[1]).catch(() => ({ allowed: true })))
      if (result.allowed) allowed++
      await limiter.flush()
    }
    expect(allowed).toBeLessThanOrEqual(brokenRule.points)
    expect(limiter.hitLocally(brokenRule, subjects[1])).toMatchObject({ allowed: false, remaining: 0 })
    // One warning for the key, not one per flush.
    const refusals = logger.warn.mock.calls.filter(([, message]) => message.includes('not a counter'))
    expect(refusals).toEqual([[{ key: broken }, 'rate limit key is not a counter: hits not synced']])
  })

  it('keeps two processes within the documented bound of the global limit', async () => {
    const a = processLimiter(20)
    const b = processLimiter(20)
    const rule = { name: 'shared', points: 200, durationSeconds: 30 }
    let allowed = 0
    for (let i = 0; i < 300; i++) {
      for (const { limiter } of [a, b]) if ((await limiter.hit(rule, 'dave')).allowed) allowed++
      // Spread over flush intervals like real traffic (each request a macrotask, so flushes run on time):
      // at most ~5 hits per process and interval.
      if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 25))
    }
    await a.limiter.flush()
    await b.limiter.flush()
    expect(allowed).toBeGreaterThanOrEqual(rule.points)
    // The documented bound: the hits the other process accepted within one flush interval before its count
    // reached Redis (here ~5, twice for safety on a loaded machine).
    expect(allowed).toBeLessThanOrEqual(rule.points + 10)
    expect(Number(await redis.get(`${prefix}:rl:shared:dave`))).toBeGreaterThanOrEqual(rule.points)
  })

  it('fails open while Redis is unreachable and delivers the counts once it is back', async () => {
    const { limiter, client } = processLimiter()
    const rule = { name: 'outage', points: 1_000, durationSeconds: 60 }
    await hits(limiter, rule, 'erin', 10)
    await limiter.flush()
    // Break only the flushes: the window is known, so hits are decided locally meanwhile.
    const flushCommand = (client as any)[FLUSH_COMMAND]
    ;(client as any)[FLUSH_COMMAND] = async () => {
      throw new Error('connection lost')
    }
    const during = await hits(limiter, rule, 'erin', 20)
    expect(during.every((result) => result.allowed)).toBe(true)
    await limiter.flush()
    expect(Number(await redis.get(`${prefix}:rl:outage:erin`))).toBe(10)
    ;(client as any)[FLUSH_COMMAND] = flushCommand
    await limiter.flush()
    expect(Number(await redis.get(`${prefix}:rl:outage:erin`))).toBe(30)
  })
})

describe('batched rate limiter table size', () => {
  it('tracks at most maxEntries subjects and still limits the untracked ones exactly through Redis', async () => {
    const client = new Redis('redis://127.0.0.1:6379')
    const limiter = createBatchedRateLimiter(client, prefix, { flushIntervalMs: 50, maxEntries: 5 })
    opened.push({ limiter, client })
    const rule = { name: 'capped', points: 3, durationSeconds: 60 }
    for (let index = 0; index < 50; index++) await limiter.hit(rule, `198.51.100.${index}`)
    expect(limiter.trackedSubjects).toBe(5)
    // A subject beyond the cap: every hit counted in Redis, the limit holds.
    const answers = []
    for (let index = 0; index < 5; index++) answers.push((await limiter.hit(rule, '192.0.2.99')).allowed)
    expect(answers).toEqual([true, true, true, false, false])
    expect(Number(await redis.get(`${prefix}:rl:capped:192.0.2.99`))).toBe(5)
    expect(limiter.trackedSubjects).toBe(5)
  })
})
