// The storefront's burst cache: one load per key within the TTL (also for concurrent misses), expiry,
// failures not kept, bounded size, and a TTL of 0 meaning no caching at all.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { BurstCache } from '../src/lib/server/burst-cache.ts'

function counter() {
  let calls = 0
  return {
    load: async () => {
      calls++
      await sleep(5)
      return calls
    },
    calls: () => calls
  }
}

describe('BurstCache', () => {
  it('shares one load between concurrent misses and later hits within the TTL', async () => {
    const cache = new BurstCache<number>(1_000)
    const source = counter()
    const values = await Promise.all(Array.from({ length: 20 }, () => cache.get('a', source.load)))
    expect(new Set(values)).toEqual(new Set([1]))
    expect(await cache.get('a', source.load)).toBe(1)
    expect(source.calls()).toBe(1)
    expect(await cache.get('b', source.load)).toBe(2)
  })

  it('loads again after the TTL and after clear()', async () => {
    const cache = new BurstCache<number>(30)
    const source = counter()
    expect(await cache.get('a', source.load)).toBe(1)
    await sleep(50)
    expect(await cache.get('a', source.load)).toBe(2)
    cache.clear()
    expect(await cache.get('a', source.load)).toBe(3)
  })

  it('does not keep failures', async () => {
    const cache = new BurstCache<number>(1_000)
    await expect(cache.get('a', () => Promise.reject(new Error('API down')))).rejects.toThrow('API down')
    expect(await cache.get('a', async () => 7)).toBe(7)
  })

  it('keeps at most maxEntries keys, dropping the oldest', async () => {
    const cache = new BurstCache<string>(1_000, 3)
    for (const key of ['a', 'b', 'c', 'd']) await cache.get(key, async () => key)
    expect(cache.size).toBe(3)
    expect(await cache.get('a', async () => 'reloaded')).toBe('reloaded')
    expect(await cache.get('d', async () => 'reloaded')).toBe('d')
  })

  it('does not cache with a TTL of 0', async () => {
    const cache = new BurstCache<number>(0)
    const source = counter()
    await cache.get('a', source.load)
    await cache.get('a', source.load)
    expect(source.calls()).toBe(2)
    expect(cache.size).toBe(0)
  })
})
