// Tenant isolation across the whole platform: the app with EVERY real plugin from plugins/*, enabled for two
// tenants; for every tenant-scoped service with an external find, a host of tenant A never sees B's data and
// cannot read, change, remove or create B's documents, nor set tenantId.
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { guardedServices } from '../../src/auth/guard-service-call.ts'
import { discoverPlugins } from '../../src/plugins/discover-plugins.ts'
import type { AccessRules } from '../../src/plugins/plugin-manifest.ts'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { api, type HttpOptions } from '../auth/support/http-client.ts'
import { PASSWORD, type Seed, seedAccess } from '../auth/support/seed.ts'
import {
  type DocumentSeed,
  ISOLATION_EXEMPT,
  ISOLATION_SEEDS,
  newMarker,
  type SeedContext
} from './support/isolation-seeds.ts'

const PLUGINS_DIR = resolve(import.meta.dirname, '../../../plugins')
const BY_ID = ['get', 'patch', 'update', 'remove'] as const

let t: TestApp
let seed: Seed
let pluginNames: string[] = []
let services: { path: string; access: AccessRules }[] = []
const tokens: Record<'a' | 'b', string> = { a: '', b: '' }
const markers = { a: newMarker('a'), b: newMarker('b') }
/** Seeded document ids per service and side. */
const docs: Record<string, { a: string; b: string }> = {}
/** A's answers of view services before and after B's data was seeded. */
const viewsOfA: Record<string, { before: unknown; after?: unknown }> = {}
const seedErrors: Record<string, string> = {}
/** Views whose answer for B changed with B's seed: proof the comparison for A can fail. */
const viewsMovedForB: string[] = []

const as = (side: 'a' | 'b', tenant?: 'a' | 'b'): HttpOptions => ({
  token: tokens[side],
  tenant: (tenant ?? side) === 'a' ? seed.tenants.ava.slug : seed.tenants.marco.slug
})
const exposes = (access: AccessRules, method: string) => access[method] !== undefined
const listOf = (body: any): any[] => (Array.isArray(body) ? body : Array.isArray(body?.data) ? body.data : [])

async function seedSide(side: 'a' | 'b'): Promise<void> {
  const tenant = side === 'a' ? seed.tenants.ava : seed.tenants.marco
  const ctx: SeedContext = {
    app: t.app,
    tenantId: tenant._id,
    marker: markers[side],
    staffUserId: side === 'a' ? seed.users.avaHost._id : seed.users.marcoHost._id
  }
  for (const { path } of services) {
    const recipe = ISOLATION_SEEDS[path]
    if (recipe?.kind !== 'documents') continue
    try {
      docs[path] = { ...docs[path], [side]: await recipe.seed(ctx) } as { a: string; b: string }
    } catch (error) {
      seedErrors[path] = `${side}: ${(error as Error).message}`
    }
  }
}

async function viewAnswers(side: 'a' | 'b'): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {}
  for (const { path } of services) {
    if (ISOLATION_SEEDS[path]?.kind !== 'view') continue
    const res = await api(t.url).get(`/${path}`, as(side))
    // Reporting windows end "now": timestamps move between two calls without any data changing.
    const text = JSON.stringify(res.body ?? null).replace(
      /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g,
      '<time>'
    )
    answers[path] = { status: res.status, body: JSON.parse(text) }
  }
  return answers
}

beforeAll(async () => {
  const discovered = await discoverPlugins(PLUGINS_DIR)
  pluginNames = discovered.map((plugin) => plugin.name)
  t = await startTestApp('platform-isolation', { plugins: discovered.map((plugin) => plugin.manifest) })
  seed = await seedAccess(t.app)
  for (const tenantId of [seed.tenants.ava._id, seed.tenants.marco._id]) {
    for (const plugin of pluginNames) {
      await (t.app as any).service('tenants').enablePlugin({ tenantId, plugin, settings: {} })
    }
  }
  services = guardedServices(t.app)
    .filter((service) => service.tenantScoped && !(service.path in ISOLATION_EXEMPT))
    .filter((service) => exposes(service.access, 'find'))
    .map(({ path, access }) => ({ path, access }))
  for (const [side, user] of [
    ['a', seed.users.avaHost],
    ['b', seed.users.marcoHost]
  ] as const) {
    const res = await api(t.url).login(user.email, PASSWORD)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    tokens[side] = res.body.accessToken
  }
  const before = await viewAnswers('a')
  const beforeB = await viewAnswers('b')
  await seedSide('b')
  const after = await viewAnswers('a')
  const afterB = await viewAnswers('b')
  for (const path of Object.keys(before)) viewsOfA[path] = { before: before[path], after: after[path] }
  for (const path of Object.keys(beforeB))
    if (JSON.stringify(beforeB[path]) !== JSON.stringify(afterB[path])) viewsMovedForB.push(path)
  await seedSide('a')
}, 120_000)

afterAll(async () => {
  await t?.close()
})

describe('platform-wide tenant isolation (every real plugin)', () => {
  it('runs with the real plugins, each enabled for both tenants', () => {
    expect(pluginNames.length).toBeGreaterThan(0)
    expect(services.length).toBeGreaterThan(0)
  })

  it('has a seed recipe (or a stated exemption) for every tenant-scoped service with an external find', () => {
    const missing = services.map((service) => service.path).filter((path) => !(path in ISOLATION_SEEDS))
    expect(missing, 'add these to core/test/platform/support/isolation-seeds.ts').toEqual([])
  })

  it('could seed every document service in both tenants', () => {
    expect(seedErrors).toEqual({})
  })

  it("never shows B's documents (ids or content) in A's find", async () => {
    const leaks: string[] = []
    for (const { path } of services) {
      const res = await api(t.url).get(`/${path}`, as('a'))
      if (res.status !== 200) {
        leaks.push(`${path}: find answered ${res.status} ${JSON.stringify(res.body)}`)
        continue
      }
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body)
      if (text.includes(markers.b)) leaks.push(`${path}: find shows B's marker`)
      if (docs[path]?.b && text.includes(docs[path].b)) leaks.push(`${path}: find shows B's id`)
      if (docs[path]?.a) {
        const ids = listOf(res.body).map((doc) => String(doc._id ?? doc.id))
        if (!ids.includes(docs[path].a)) leaks.push(`${path}: find misses A's own document (vacuous test)`)
      }
    }
    expect(leaks).toEqual([])
  })

  it("keeps every derived view of A unchanged by B's new data", () => {
    const moved = Object.entries(viewsOfA)
      .filter(([, view]) => JSON.stringify(view.before) !== JSON.stringify(view.after))
      .map(([path, view]) => `${path}: ${JSON.stringify(view.before)} -> ${JSON.stringify(view.after)}`)
    expect(moved).toEqual([])
    expect(
      viewsMovedForB.length,
      'no view reflects seeded data: the comparison proves nothing'
    ).toBeGreaterThan(0)
    for (const [path, view] of Object.entries(viewsOfA)) {
      expect((view.before as any).status, `${path} answers A`).toBe(200)
    }
  })

  it("answers 404 to A for B's ids on every exposed by-id method, and B's document stays", async () => {
    const wrong: string[] = []
    for (const { path, access } of services) {
      const recipe = ISOLATION_SEEDS[path]
      const idB = docs[path]?.b
      if (recipe?.kind !== 'documents' || !idB) continue
      const client = api(t.url)
      const url = `/${path}/${encodeURIComponent(idB)}`
      const calls: Record<string, () => Promise<{ status: number; body: any }>> = {
        get: () => client.get(url, as('a')),
        patch: () => client.patch(url, (recipe as DocumentSeed).patch ?? {}, as('a')),
        update: () => client.put(url, (recipe as DocumentSeed).update ?? {}, as('a')),
        remove: () => client.delete(url, as('a'))
      }
      for (const method of BY_ID) {
        if (!exposes(access, method)) continue
        const res = await calls[method]()
        if (res.status !== 404) wrong.push(`${path} ${method}: ${res.status} ${JSON.stringify(res.body)}`)
      }
      for (const [method, body] of Object.entries(recipe.customById ?? {})) {
        if (!exposes(access, method)) continue
        const res = await client.post(`/${path}`, body(idB), { ...as('a'), serviceMethod: method })
        if (res.status !== 404) wrong.push(`${path} ${method}: ${res.status} ${JSON.stringify(res.body)}`)
      }
      if (exposes(access, 'get')) {
        const still = await client.get(url, as('b'))
        if (still.status !== 200) wrong.push(`${path}: B lost its document (${still.status})`)
        else if (recipe.patch && JSON.stringify(still.body).includes('hijacked'))
          wrong.push(`${path}: B's document was changed by A`)
      }
    }
    expect(wrong).toEqual([])
  })

  it("refuses A's token on B's tenant (403) for every exposed method, creating nothing", async () => {
    const wrong: string[] = []
    for (const { path, access } of services) {
      const client = api(t.url)
      // A public find (a storefront catalogue) serves A's token as an anonymous visitor of B.
      const find = await client.get(`/${path}`, as('a', 'b'))
      if (access.find !== 'public' && find.status !== 403) wrong.push(`${path} find on B: ${find.status}`)
      if (exposes(access, 'create')) {
        const create = await client.post(`/${path}`, { title: markers.a }, as('a', 'b'))
        if (create.status !== 403) wrong.push(`${path} create on B: ${create.status}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('refuses a client-set tenantId (400 naming the field) on every exposed create and patch', async () => {
    const wrong: string[] = []
    for (const { path, access } of services) {
      const client = api(t.url)
      const attempts: [string, () => Promise<{ status: number; body: any }>][] = []
      if (exposes(access, 'create'))
        attempts.push([
          'create',
          () => client.post(`/${path}`, { tenantId: seed.tenants.marco._id }, as('a'))
        ])
      const idA = docs[path]?.a
      if (exposes(access, 'patch') && idA)
        attempts.push([
          'patch',
          () => client.patch(`/${path}/${idA}`, { tenantId: seed.tenants.marco._id }, as('a'))
        ])
      for (const [method, call] of attempts) {
        const res = await call()
        const named = (res.body?.errors ?? []).some((error: any) => error.path === 'tenantId')
        if (res.status !== 400 || !named)
          wrong.push(`${path} ${method}: ${res.status} ${JSON.stringify(res.body)}`)
      }
    }
    expect(wrong).toEqual([])
  })
})
