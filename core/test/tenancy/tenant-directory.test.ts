// The tenant directory's cache against client-chosen keys: bounded, "not found" remembered briefly, no
// stale store from a lookup that raced with an invalidation, and no serving while invalidations are down.
import { describe, expect, it } from 'vitest'
import { NOT_CACHED } from '../../src/app/expiring-cache.ts'
import { createTenantDirectory } from '../../src/tenancy/tenant-directory.ts'

/** Fake models: the slug lookup resolves from `tenants`, counting reads; `gate` can hold a read open. */
function fakeModels(tenants: Map<string, object>) {
  const reads: string[] = []
  let gate: Promise<void> | undefined
  const query = (slug: string) => ({
    lean: () => ({
      exec: async () => {
        reads.push(slug)
        const value = tenants.get(slug) ?? null
        if (gate) await gate
        return value
      }
    })
  })
  const models = {
    Tenant: {
      findOne: (filter: { slug: string }) => query(filter.slug),
      findById: (id: string) => query(`id:${id}`)
    }
  } as any
  return { models, reads, hold: (until: Promise<void>) => (gate = until), release: () => (gate = undefined) }
}

describe('tenant directory cache', () => {
  it('keeps at most maxEntries keys, least recently used out first', async () => {
    const { models, reads } = fakeModels(new Map())
    const directory = createTenantDirectory(models, { maxEntries: 2, notFoundTtlMs: 60_000 })
    for (const slug of ['a', 'b', 'c', 'a']) await directory.bySlug(slug)
    expect(reads).toEqual(['a', 'b', 'c', 'a'])
  })

  it('remembers a missing tenant only for the short not-found TTL', async () => {
    const tenants = new Map<string, object>()
    const { models, reads } = fakeModels(tenants)
    const directory = createTenantDirectory(models, { ttlMs: 60_000, notFoundTtlMs: 30 })
    expect(await directory.bySlug('new-brand')).toBeNull()
    expect(await directory.bySlug('new-brand')).toBeNull()
    tenants.set('new-brand', { slug: 'new-brand' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await directory.bySlug('new-brand')).toEqual({ slug: 'new-brand' })
    expect(await directory.bySlug('new-brand')).toEqual({ slug: 'new-brand' })
    expect(reads).toEqual(['new-brand', 'new-brand'])
  })

  it('does not keep a lookup that started before an invalidation', async () => {
    const tenants = new Map<string, object>([['brand', { slug: 'brand', name: 'old' }]])
    const { models, reads, hold, release } = fakeModels(tenants)
    const directory = createTenantDirectory(models, { ttlMs: 60_000 })
    let open!: () => void
    hold(new Promise<void>((resolve) => (open = resolve)))
    const inFlight = directory.bySlug('brand')
    await new Promise((resolve) => setTimeout(resolve, 10))
    tenants.set('brand', { slug: 'brand', name: 'new' })
    directory.invalidate()
    release()
    open()
    expect(await inFlight).toEqual({ slug: 'brand', name: 'old' })
    expect(await directory.bySlug('brand')).toEqual({ slug: 'brand', name: 'new' })
    expect(reads).toEqual(['brand', 'brand'])
  })

  it('reads the database every time while invalidations cannot arrive', async () => {
    let live = false
    const { models, reads } = fakeModels(new Map([['brand', { slug: 'brand' }]]))
    const directory = createTenantDirectory(models, { ttlMs: 60_000, enabled: () => live })
    await directory.bySlug('brand')
    await directory.bySlug('brand')
    live = true
    await directory.bySlug('brand')
    await directory.bySlug('brand')
    expect(reads).toEqual(['brand', 'brand', 'brand'])
  })

  it('peeks a tenant by id only once byId has loaded it, and forgets it on invalidation', async () => {
    const id = '0123456789abcdef01234567'
    const tenant = { _id: id, slug: 'brand' }
    const { models, reads } = fakeModels(new Map([[`id:${id}`, tenant]]))
    let live = true
    const directory = createTenantDirectory(models, { ttlMs: 60_000, enabled: () => live })
    expect(directory.peek!('id', id)).toBe(NOT_CACHED)
    expect(await directory.byId(id)).toBe(tenant)
    expect(directory.peek!('id', id)).toBe(tenant)
    // A malformed id is no tenant, as byId answers, without a read.
    expect(directory.peek!('id', 'not-an-id')).toBeNull()
    directory.invalidate()
    expect(directory.peek!('id', id)).toBe(NOT_CACHED)
    await directory.byId(id)
    live = false
    expect(directory.peek!('id', id)).toBe(NOT_CACHED)
    expect(reads).toEqual([`id:${id}`, `id:${id}`])
  })

  it('spreads the expiries of tenants read together, so their refreshes are not one burst', async () => {
    const slugs = Array.from({ length: 50 }, (_, n) => `t${n}`)
    const { models, reads } = fakeModels(new Map(slugs.map((slug) => [slug, { slug }])))
    const time = { now: 1_000_000 }
    const directory = createTenantDirectory(models, { ttlMs: 5_000, now: () => time.now })
    for (const slug of slugs) await directory.bySlug(slug)
    const expired = () => slugs.filter((slug) => directory.peek!('slug', slug) === NOT_CACHED).length
    time.now += 3_999
    expect(expired()).toBe(0)
    time.now += 500
    // Some, not all, expired at 90 % of the TTL.
    expect(expired()).toBeGreaterThan(0)
    expect(expired()).toBeLessThan(50)
    time.now += 501
    expect(expired()).toBe(50)
    expect(reads.length).toBe(50)
  })

  it('keeps a tenant found by slug under its id too, and refreshes both names with one read', async () => {
    const id = '0123456789abcdef01234567'
    const tenant = { _id: id, slug: 'brand' }
    const { models, reads, hold, release } = fakeModels(
      new Map([
        ['brand', tenant],
        [`id:${id}`, tenant]
      ])
    )
    const time = { now: 1_000_000 }
    const directory = createTenantDirectory(models, { ttlMs: 5_000, now: () => time.now })
    expect(await directory.bySlug('brand')).toBe(tenant)
    expect(directory.peek!('id', id)).toBe(tenant)
    expect(await directory.byId(id)).toBe(tenant)
    expect(reads).toEqual(['brand'])
    // Expired: both names are answered from the old entry while one read refreshes them.
    time.now += 5_001
    let open!: () => void
    hold(new Promise<void>((resolve) => (open = resolve)))
    expect(await directory.bySlug('brand')).toBe(tenant)
    expect(directory.peek!('id', id)).toBe(NOT_CACHED)
    expect(await directory.byId(id)).toBe(tenant)
    release()
    open()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(reads).toEqual(['brand', 'brand'])
    expect(directory.peek!('id', id)).toBe(tenant)
    expect(directory.peek!('slug', 'brand')).toBe(tenant)
  })
})
