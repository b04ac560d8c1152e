// Webhook route rate limits over real HTTP and real Redis: counted per client IP by the batched limiter
// (most requests decided locally, without a Redis round trip), exact at the limit with 429 + Retry-After,
// counts reaching Redis, and failing open when Redis is unreachable.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { unreachableRedis } from '../rate-limit/unreachable-redis.ts'
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts'

const POINTS = 50

const hooks: PluginManifest = {
  name: 'limited',
  version: '1.0.0',
  description: 'rate-limited webhook fixture',
  webhooks: [
    {
      method: 'POST',
      path: 'events',
      rateLimit: { points: POINTS, durationSeconds: 60 },
      handle: async () => ({ status: 200, body: { ok: true } })
    },
    {
      method: 'POST',
      path: 'other',
      rateLimit: { points: POINTS, durationSeconds: 60 },
      handle: async () => ({ status: 200, body: { ok: true } })
    }
  ]
}

const post = (url: string, path: string) =>
  fetch(`${url}/webhooks/limited/${path}`, { method: 'POST', body: '{}' })

describe('webhook route rate limit, Redis up', () => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform('webhook-rate-limit', { plugins: [hooks] })
  })
  afterAll(() => t?.close())

  it('accepts exactly the limit, answers 429 with Retry-After past it, asking Redis only for a few hits', async () => {
    const limiter = t.app.get('access').httpLimiter
    const hit = vi.spyOn(limiter, 'hit')
    const local = vi.spyOn(limiter, 'hitLocally')
    const statuses: number[] = []
    for (let i = 0; i < POINTS + 10; i++) statuses.push((await post(t.url, 'events')).status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(POINTS)
    expect(statuses.slice(POINTS)).toEqual(new Array(10).fill(429))
    const limited = await post(t.url, 'events')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await limited.json()).toMatchObject({ code: 429, data: { code: 'RATE_LIMITED' } })
    // Every request went through the batched limiter; only the window's first hit and the exact zone
    // near the limit (10 % of the points) asked Redis.
    expect(local.mock.calls.length).toBe(POINTS + 11)
    expect(hit.mock.calls.length).toBeGreaterThan(0)
    expect(hit.mock.calls.length).toBeLessThanOrEqual(1 + Math.ceil(POINTS * 0.1) + 1)
    hit.mockRestore()
    local.mockRestore()

    // The counts reach the shared Redis window (other processes see them).
    await limiter.flush()
    const keys = await t.app.get('access').redis.keys(`${t.config.queuePrefix}:rl:webhook-limited-events:*`)
    expect(keys).toHaveLength(1)
    expect(Number(await t.app.get('access').redis.get(keys[0]))).toBe(POINTS)
  })

  it('counts each route in its own window', async () => {
    expect((await post(t.url, 'other')).status).toBe(200)
  })
})

describe('webhook route rate limit, Redis unreachable', () => {
  let t: TestPlatform
  const deadRedis = unreachableRedis()
  beforeAll(async () => {
    t = await startTestPlatform('webhook-rate-limit-down', { plugins: [hooks], access: { redis: deadRedis } })
  })
  afterAll(async () => {
    await t?.close()
    deadRedis.disconnect()
  })

  it('fails open: every delivery is accepted (a provider retry must not be lost)', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await post(t.url, 'events')).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200])
  })
})
