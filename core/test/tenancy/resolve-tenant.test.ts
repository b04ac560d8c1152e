// Tenant resolution on the request path: a cached tenant (or a cached "no such tenant") is answered without
// a promise, with the same answers and errors as the lookup path; explicit references always look up.
import { describe, expect, it } from 'vitest'
import { resolveTenant, resolveTenantNow } from '../../src/tenancy/resolve-tenant.ts'
import { createTenantDirectory } from '../../src/tenancy/tenant-directory.ts'

function appWith(tenants: Map<string, object>) {
  const reads: string[] = []
  const models = {
    Tenant: {
      findOne: (filter: { slug: string }) => ({
        lean: () => ({
          exec: async () => {
            reads.push(filter.slug)
            return tenants.get(filter.slug) ?? null
          }
        })
      })
    }
  } as any
  const directory = createTenantDirectory(models, { ttlMs: 60_000, notFoundTtlMs: 60_000 })
  const settings: Record<string, unknown> = {
    access: { tenants: directory },
    config: { baseDomain: 'localhost' }
  }
  return { app: { get: (key: string) => settings[key] } as any, reads }
}

const brand = {
  _id: 'a'.repeat(24),
  slug: 'brand',
  agencyId: 'agency-1',
  enabledPlugins: [{ name: 'payments' }]
}

describe('resolveTenantNow', () => {
  it('answers a cached tenant synchronously, with the same frozen tenant as the lookup', async () => {
    const { app, reads } = appWith(new Map([['brand', brand]]))
    const first = resolveTenantNow(app, { host: 'Brand.localhost:3030' })
    expect(first).toBeInstanceOf(Promise)
    const looked = await first
    expect(looked).toEqual({
      id: 'a'.repeat(24),
      slug: 'brand',
      agencyId: 'agency-1',
      enabledPlugins: ['payments']
    })
    const cached = resolveTenantNow(app, { host: 'brand.localhost' })
    expect(cached).not.toBeInstanceOf(Promise)
    expect(cached).toBe(looked)
    expect(Object.isFrozen(cached)).toBe(true)
    expect(Object.isFrozen((cached as any).enabledPlugins)).toBe(true)
    expect(reads).toEqual(['brand'])
  })

  it('refuses an unknown tenant subdomain alike whether "not found" is cached or not', async () => {
    const { app, reads } = appWith(new Map())
    await expect(resolveTenant(app, { host: 'nobody.localhost' })).rejects.toMatchObject({
      code: 404,
      data: { code: 'TENANT_UNKNOWN' }
    })
    expect(() => resolveTenantNow(app, { host: 'nobody.localhost' })).toThrow(/Unknown tenant 'nobody'/)
    await expect(resolveTenant(app, { host: 'nobody.localhost' })).rejects.toMatchObject({ code: 404 })
    expect(reads).toEqual(['nobody'])
  })

  it('answers platform hosts without a lookup and always looks explicit references up', async () => {
    const { app, reads } = appWith(new Map([['brand', brand]]))
    expect(resolveTenantNow(app, { host: 'localhost:3030' })).toBeUndefined()
    expect(resolveTenantNow(app, { host: 'api.localhost' })).toBeUndefined()
    expect(reads).toEqual([])
    const explicit = resolveTenantNow(app, { host: 'localhost', explicit: 'brand' })
    expect(explicit).toBeInstanceOf(Promise)
    expect(await explicit).toMatchObject({ slug: 'brand' })
  })

  it('gives the same answers for a Host header seen before, per base domain, and beyond the remembered hosts', async () => {
    const { app, reads } = appWith(new Map([['brand', brand]]))
    for (let round = 0; round < 2; round++) {
      expect(resolveTenantNow(app, { host: 'localhost' })).toBeUndefined()
      expect(resolveTenantNow(app, { host: 'www.localhost' })).toBeUndefined()
      expect(resolveTenantNow(app, { host: 'a.b.localhost' })).toBeUndefined()
      expect(await resolveTenantNow(app, { host: 'BRAND.localhost.:8080' })).toMatchObject({ slug: 'brand' })
    }
    // Another app with another base domain: its own answers for the same headers.
    const other = appWith(new Map([['brand', brand]]))
    const otherSettings = { access: other.app.get('access'), config: { baseDomain: 'example.test' } }
    const otherApp = { get: (key: string) => (otherSettings as any)[key] } as any
    expect(resolveTenantNow(otherApp, { host: 'example.test' })).toBeUndefined()
    expect(await resolveTenantNow(otherApp, { host: 'brand.example.test' })).toMatchObject({ slug: 'brand' })
    // Many made-up hosts (clients choose the header) do not change the answers for known ones.
    for (let i = 0; i < 3000; i++) resolveTenantNow(app, { host: `www.localhost:${i}` })
    expect(resolveTenantNow(app, { host: 'brand.localhost' })).toMatchObject({ slug: 'brand' })
    expect(reads).toEqual(['brand'])
  })
})
