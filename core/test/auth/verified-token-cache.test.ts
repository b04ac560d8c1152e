// The verified-token cache answers only for the exact token it was given, and re-checks time claims on
// every hit (exp exclusive, nbf inclusive), within a bounded age and size.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createVerifiedTokenCache } from '../../src/auth/verified-token-cache.ts'

afterEach(() => vi.useRealTimers())

describe('verified-token cache', () => {
  it('answers a copy of the payload for the same token only', () => {
    const cache = createVerifiedTokenCache()
    const now = Math.floor(Date.now() / 1000)
    cache.remember('h.p.sig', { sub: 'u1', tv: 1, exp: now + 60 })
    const hit = cache.get('h.p.sig')!
    expect(hit).toMatchObject({ sub: 'u1', tv: 1 })
    hit.tv = 99
    expect(cache.get('h.p.sig')!.tv).toBe(1)
    expect(cache.get('h.p.sih')).toBeUndefined()
    expect(cache.get('h.p.')).toBeUndefined()
  })

  it('answers only for the whole token when tokens share their last characters', () => {
    const cache = createVerifiedTokenCache()
    const tail = 's'.repeat(40)
    cache.remember(`header.one.${tail}`, { sub: 'u1' })
    expect(cache.get(`header.one.${tail}`)).toMatchObject({ sub: 'u1' })
    expect(cache.get(`header.two.${tail}`)).toBeUndefined()
    expect(cache.peek(`header.two.${tail}`)).toBeUndefined()
    cache.remember(`header.two.${tail}`, { sub: 'u2' })
    expect(cache.get(`header.two.${tail}`)).toMatchObject({ sub: 'u2' })
    expect(cache.get(`header.one.${tail}`)).toBeUndefined()
  })

  it('stops answering at exp, before nbf, and after its maximum age', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    const now = Math.floor(Date.now() / 1000)
    const cache = createVerifiedTokenCache(30_000)
    cache.remember('expiring', { exp: now + 10 })
    cache.remember('not-yet', { nbf: now + 5, exp: now + 600 })
    cache.remember('long', { exp: now + 600 })
    expect(cache.get('expiring')).toBeDefined()
    expect(cache.get('not-yet')).toBeUndefined()
    vi.setSystemTime(Date.now() + 5_000)
    expect(cache.get('not-yet')).toBeDefined()
    vi.setSystemTime(Date.now() + 5_000)
    expect(cache.get('expiring')).toBeUndefined()
    expect(cache.get('long')).toBeDefined()
    vi.setSystemTime(Date.now() + 20_000)
    expect(cache.get('long')).toBeUndefined()
  })

  it('is bounded (oldest out first) and can be cleared', () => {
    const cache = createVerifiedTokenCache(60_000, 3)
    for (const token of ['a', 'b', 'c', 'd']) cache.remember(token, { sub: token })
    expect(cache.get('a')).toBeUndefined()
    expect(cache.get('d')).toBeDefined()
    cache.clear()
    expect(cache.get('d')).toBeUndefined()
  })
})
