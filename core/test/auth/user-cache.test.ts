// The user cache: hits within the TTL, copies per caller, bounded size, and no stale entry from a load that
// raced with an invalidation.
import { describe, expect, it } from 'vitest'
import { createUserCache } from '../../src/auth/user-cache.ts'

const user = (id: string, tokenVersion = 1) =>
  ({ _id: id, email: `${id}@x.test`, name: id, role: 'host', tenantIds: ['t1'], tokenVersion }) as any

describe('user cache', () => {
  it('loads once within the TTL and hands out copies', async () => {
    const cache = createUserCache(60_000, 10)
    let loads = 0
    const load = async () => {
      loads++
      return user('u1')
    }
    const first = await cache.get('u1', load)
    ;(first!.tenantIds as string[]).push('t2')
    const second = await cache.get('u1', load)
    expect(loads).toBe(1)
    expect(second!.tenantIds).toEqual(['t1'])
  })

  it('reloads after an invalidation and never caches a load that raced with one', async () => {
    const cache = createUserCache(60_000, 10)
    let release!: () => void
    const slow = cache.get('u1', () => new Promise((resolve) => (release = () => resolve(user('u1', 1)))))
    cache.invalidate('u1')
    release()
    expect((await slow)!.tokenVersion).toBe(1)
    expect((await cache.get('u1', async () => user('u1', 2)))!.tokenVersion).toBe(2)
    cache.invalidate('*')
    expect((await cache.get('u1', async () => user('u1', 3)))!.tokenVersion).toBe(3)
  })

  it('keeps at most maxEntries users and does not cache missing ones', async () => {
    const cache = createUserCache(60_000, 2)
    for (const id of ['a', 'b', 'c']) await cache.get(id, async () => user(id))
    let loads = 0
    await cache.get('a', async () => {
      loads++
      return user('a')
    })
    expect(loads).toBe(1)
    expect(await cache.get('gone', async () => null)).toBeNull()
    let missLoads = 0
    await cache.get('gone', async () => {
      missLoads++
      return null
    })
    expect(missLoads).toBe(1)
  })
})
