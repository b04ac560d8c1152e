// The bounded expiring cache behind the user cache and the tenant directory: LRU eviction, per-value TTL,
// no store from a load that raced with an invalidation, no serving while disabled, one load per concurrent miss.
import { describe, expect, it } from 'vitest'
import { createExpiringCache, NOT_CACHED } from '../../src/app/expiring-cache.ts'

const counting = () => {
  const loads: string[] = []
  const load = (key: string) => async () => {
    loads.push(key)
    return key
  }
  return { loads, load }
}

describe('expiring cache', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 2 })
    const { loads, load } = counting()
    await cache.get('a', load('a'), () => 60_000)
    await cache.get('b', load('b'), () => 60_000)
    await cache.get('a', load('a'), () => 60_000) // a is now the most recent
    await cache.get('c', load('c'), () => 60_000) // evicts b
    expect(cache.size).toBe(2)
    await cache.get('a', load('a'), () => 60_000)
    await cache.get('b', load('b'), () => 60_000)
    expect(loads).toEqual(['a', 'b', 'c', 'b'])
  })

  it('keeps the LRU order when the key used is the one stored last, also after it was dropped and stored again', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 2 })
    const { loads, load } = counting()
    await cache.get('a', load('a'), () => 60_000)
    expect(cache.peek('a')).toBe('a') // the newest already: nothing moves
    await cache.get('b', load('b'), () => 60_000)
    expect(cache.peek('a')).toBe('a') // a is now the most recent
    expect(cache.peek('a')).toBe('a')
    await cache.get('c', load('c'), () => 60_000) // evicts b
    expect(cache.peek('b')).toBe(NOT_CACHED)
    cache.invalidate('c')
    await cache.get('c', load('c'), () => 60_000) // stored again: the newest
    expect(cache.peek('a')).toBe('a')
    await cache.get('d', load('d'), () => 60_000) // evicts c, not a
    expect(cache.peek('a')).toBe('a')
    expect(cache.peek('c')).toBe(NOT_CACHED)
    expect(loads).toEqual(['a', 'b', 'c', 'c', 'd'])
  })

  it('keeps each value for its own TTL and never stores a zero TTL', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 10 })
    const { loads, load } = counting()
    await cache.get('short', load('short'), () => 20)
    await cache.get('none', load('none'), () => 0)
    await cache.get('none', load('none'), () => 0)
    await new Promise((resolve) => setTimeout(resolve, 40))
    await cache.get('short', load('short'), () => 20)
    expect(loads).toEqual(['short', 'none', 'none', 'short'])
  })

  it('does not store a load that started before an invalidation', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 10 })
    let release!: (value: string) => void
    const slow = cache.get(
      'k',
      () => new Promise((resolve) => (release = resolve)),
      () => 60_000
    )
    cache.invalidate('*')
    release('old')
    expect(await slow).toBe('old')
    expect(
      await cache.get(
        'k',
        async () => 'new',
        () => 60_000
      )
    ).toBe('new')
  })

  it('shares one load between concurrent misses of a key, but not across an invalidation', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 10 })
    const releases: ((value: string) => void)[] = []
    let loads = 0
    const slowLoad = () =>
      new Promise<string>((resolve) => {
        loads++
        releases.push(resolve)
      })
    const first = cache.get('k', slowLoad, () => 60_000)
    const second = cache.get('k', slowLoad, () => 60_000)
    expect(loads).toBe(1)
    cache.invalidate('*')
    const afterInvalidation = cache.get('k', slowLoad, () => 60_000)
    expect(loads).toBe(2)
    releases[0]('old')
    releases[1]('new')
    expect(await Promise.all([first, second, afterInvalidation])).toEqual(['old', 'old', 'new'])
    expect(await cache.get('k', slowLoad, () => 60_000)).toBe('new')
    expect(loads).toBe(2)
  })

  it('lets every waiter see a failed load, and loads again on the next miss', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 10 })
    let loads = 0
    const failing = async () => {
      loads++
      throw new Error('database down')
    }
    const waiters = [cache.get('k', failing, () => 60_000), cache.get('k', failing, () => 60_000)]
    for (const waiter of waiters) await expect(waiter).rejects.toThrow('database down')
    expect(loads).toBe(1)
    expect(
      await cache.get(
        'k',
        async () => 'back',
        () => 60_000
      )
    ).toBe('back')
  })

  it('neither serves nor stores while disabled, and drops what it held', async () => {
    let enabled = true
    const cache = createExpiringCache<string>({ maxEntries: 10, enabled: () => enabled })
    const { loads, load } = counting()
    await cache.get('a', load('a'), () => 60_000)
    enabled = false
    await cache.get('a', load('a'), () => 60_000)
    await cache.get('a', load('a'), () => 60_000)
    expect(cache.size).toBe(0)
    enabled = true
    await cache.get('a', load('a'), () => 60_000)
    await cache.get('a', load('a'), () => 60_000)
    expect(loads).toEqual(['a', 'a', 'a', 'a'])
  })

  it('peeks at live entries only (a cached null too), never while disabled or after expiry or invalidation', async () => {
    let enabled = true
    const cache = createExpiringCache<string | null>({ maxEntries: 10, enabled: () => enabled })
    expect(cache.peek('a')).toBe(NOT_CACHED)
    await cache.get(
      'a',
      async () => 'A',
      () => 60_000
    )
    await cache.get(
      'missing',
      async () => null,
      () => 60_000
    )
    await cache.get(
      'short',
      async () => 'S',
      () => 20
    )
    expect(cache.peek('a')).toBe('A')
    expect(cache.peek('missing')).toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(cache.peek('short')).toBe(NOT_CACHED)
    enabled = false
    expect(cache.peek('a')).toBe(NOT_CACHED)
    enabled = true
    await cache.get(
      'a',
      async () => 'A',
      () => 60_000
    )
    cache.invalidate('a')
    expect(cache.peek('a')).toBe(NOT_CACHED)
  })

  it('answers a recently expired entry at once while one load refreshes it, and not past serveStaleForMs', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 10, serveStaleForMs: 200 })
    let version = 1
    let release: () => void = () => undefined
    const loads: number[] = []
    const load = () => {
      loads.push(version)
      const value = `v${version}`
      return new Promise<string>((resolve) => {
        release = () => resolve(value)
      })
    }
    const first = cache.get('t', load, () => 20)
    release()
    expect(await first).toBe('v1')
    await new Promise((resolve) => setTimeout(resolve, 40)) // expired, within the stale window
    version = 2
    // Both callers get the old value without waiting; one refresh runs.
    expect(await cache.get('t', load, () => 20)).toBe('v1')
    expect(await cache.get('t', load, () => 20)).toBe('v1')
    expect(loads).toEqual([1, 2])
    release()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(cache.peek('t')).toBe('v2')
    // Long past expiry: the caller waits for the load.
    await new Promise((resolve) => setTimeout(resolve, 250))
    version = 3
    const late = cache.get('t', load, () => 20)
    release()
    expect(await late).toBe('v3')
  })

  it('never answers stale after an invalidation, nor a value the option excludes', async () => {
    const cache = createExpiringCache<string | null>({
      maxEntries: 10,
      serveStaleForMs: (value) => (value === null ? 0 : 10_000)
    })
    await cache.get(
      'gone',
      async () => null,
      () => 10
    )
    await cache.get(
      't',
      async () => 'old',
      () => 10
    )
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(
      await cache.get(
        'gone',
        async () => 'created',
        () => 10
      )
    ).toBe('created')
    cache.invalidate('*')
    expect(
      await cache.get(
        't',
        async () => 'new',
        () => 10
      )
    ).toBe('new')
  })

  it('spreads the expiries of entries stored together with ttlJitter, on the clock it is given', async () => {
    const time = { now: 1_000_000 }
    const cache = createExpiringCache<string>({ maxEntries: 100, ttlJitter: 0.2, now: () => time.now })
    const keys = Array.from({ length: 50 }, (_, n) => `k${n}`)
    for (const key of keys)
      await cache.get(
        key,
        async () => key,
        () => 10_000
      )
    const live = () => keys.filter((key) => cache.peek(key) !== NOT_CACHED).length
    time.now += 7_999
    expect(live()).toBe(50)
    time.now += 1_000
    // About half expired at 90 % of the TTL; all of them by the TTL.
    expect(live()).toBeGreaterThan(0)
    expect(live()).toBeLessThan(50)
    time.now += 1_001
    expect(live()).toBe(0)
  })

  it('refreshes one key on demand, joining its load in flight, without dropping other keys or their loads', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 10 })
    let version = 0
    let release: () => void = () => undefined
    const slow = () =>
      new Promise<string>((resolve) => {
        const value = `v${++version}`
        release = () => resolve(value)
      })
    await cache.get(
      'other',
      async () => 'O',
      () => 60_000
    )
    const first = cache.get('k', slow, () => 60_000)
    release()
    expect(await first).toBe('v1')
    const refreshing = cache.refresh('k', slow, () => 60_000)
    const joined = cache.refresh('k', slow, () => 60_000)
    // The live entry is answered until the refresh lands.
    expect(cache.peek('k')).toBe('v1')
    release()
    expect(await Promise.all([refreshing, joined])).toEqual(['v2', 'v2'])
    expect(version).toBe(2)
    expect(cache.peek('k')).toBe('v2')
    expect(cache.peek('other')).toBe('O')
  })

  it('keeps a value under its other names too (alsoKeys), not after an invalidation', async () => {
    const cache = createExpiringCache<string>({ maxEntries: 10 })
    const names = (value: string) => [`alias:${value}`]
    await cache.get(
      'k',
      async () => 'v',
      () => 60_000,
      names
    )
    expect(cache.peek('alias:v')).toBe('v')
    let release!: (value: string) => void
    const slow = cache.get(
      'j',
      () => new Promise((resolve) => (release = resolve)),
      () => 60_000,
      names
    )
    cache.invalidate('*')
    release('w')
    expect(await slow).toBe('w')
    expect(cache.peek('alias:w')).toBe(NOT_CACHED)
    expect(cache.peek('j')).toBe(NOT_CACHED)
  })
})
