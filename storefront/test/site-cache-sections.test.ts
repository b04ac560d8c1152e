// Anonymous landing-section data: the API answers are cached once whatever brought the visitor (utm_*
// parameters, attribution), while each visit's load still derives its own attribution fields from them.
import type { MasterstageClient, UiAttribution, UiLoadContext } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('$env/dynamic/private', () => ({ env: { SITE_CACHE_MS: '60000', REDIS_URL: 'off' } }))
const { anonymousSectionData, invalidateSites } = await import('../src/lib/server/site-cache.ts')

const SITE = { id: 't1', revision: 1 } as PublicSite
const SECTION = { plugin: 'pipeline', id: 'registration' }

let apiCalls: string[] = []
const client = {
  service: (path: string) => ({
    find: async (params: unknown) => {
      apiCalls.push(`${path} find ${JSON.stringify(params)}`)
      return { data: [{ _id: 'm1', title: 'Dawn' }] }
    },
    get: async (id: string) => {
      apiCalls.push(`${path} get ${id}`)
      return { _id: id }
    }
  })
} as unknown as MasterstageClient

const contextFor = (path: string, attribution?: UiAttribution): UiLoadContext => ({
  client,
  tenant: { id: 't1', slug: 'echo', name: 'Echo', enabledPlugins: ['pipeline'] },
  params: {},
  url: new URL(`http://echo.localhost${path}`),
  ...(attribution && { attribution })
})

/** Like the registration form: one API read (with a per-call time), hidden fields from URL and attribution. */
async function formLoad({ client, url, attribution }: UiLoadContext) {
  const page = (await (client as any).service('masterclasses').find({ query: { at: Date.now() } })) as any
  page.data.push({ _id: 'mutated' })
  return {
    masterclasses: page.data,
    hidden: { utmSource: url.searchParams.get('utm_source') ?? attribution?.utmSource }
  }
}

beforeEach(() => {
  apiCalls = []
  invalidateSites()
})

describe('anonymous section data', () => {
  it('shares one cache entry between visits of different campaigns, each keeping its own source', async () => {
    const alpha = await anonymousSectionData(
      SITE,
      SECTION,
      contextFor('/?utm_source=alpha', { utmSource: 'alpha' }),
      formLoad
    )
    const beta = await anonymousSectionData(
      SITE,
      SECTION,
      contextFor('/?utm_source=beta&utm_term=x', { utmSource: 'beta', referrer: 'https://b.test/' }),
      formLoad
    )
    const fromCookie = await anonymousSectionData(
      SITE,
      SECTION,
      contextFor('/', { utmSource: 'gamma' }),
      formLoad
    )
    expect(apiCalls).toHaveLength(1)
    expect([alpha, beta, fromCookie].map((data: any) => data.hidden.utmSource)).toEqual([
      'alpha',
      'beta',
      'gamma'
    ])
    // Each visit gets its own copy of the answers: one load's changes never reach another.
    expect((beta as any).masterclasses).toEqual([{ _id: 'm1', title: 'Dawn' }, { _id: 'mutated' }])
  })

  it('runs the cached load without the attribution or utm_* parameters', async () => {
    const seen: { search: string; attribution?: UiAttribution }[] = []
    await anonymousSectionData(
      SITE,
      SECTION,
      contextFor('/?masterclass=m1&utm_source=alpha', { utmSource: 'alpha' }),
      async (context) => {
        seen.push({ search: context.url.search, attribution: context.attribution })
        return (context.client as any).service('masterclasses').find({})
      }
    )
    expect(seen).toEqual([
      { search: '?masterclass=m1', attribution: undefined },
      { search: '?masterclass=m1&utm_source=alpha', attribution: { utmSource: 'alpha' } }
    ])
  })

  it('keeps other URLs apart', async () => {
    await anonymousSectionData(SITE, SECTION, contextFor('/?masterclass=m1'), formLoad)
    await anonymousSectionData(SITE, SECTION, contextFor('/?masterclass=m2'), formLoad)
    expect(apiCalls).toHaveLength(2)
  })

  it('asks the API for real from the first call that differs from the recorded ones', async () => {
    const load = async ({ client, attribution }: UiLoadContext) => {
      const list = await (client as any).service('masterclasses').find({})
      const one = attribution ? await (client as any).service('masterclasses').get('m1') : undefined
      return { list, one }
    }
    await anonymousSectionData(SITE, SECTION, contextFor('/'), load)
    const data = (await anonymousSectionData(SITE, SECTION, contextFor('/', { utmSource: 'a' }), load)) as any
    expect(apiCalls).toEqual(['masterclasses find {}', 'masterclasses get m1'])
    expect(data.one).toEqual({ _id: 'm1' })
  })

  it('replays a failed answer as the same failure, and never keeps a failed load', async () => {
    let failing = true
    const failingClient = {
      service: () => ({
        find: async () => {
          apiCalls.push('find')
          throw new Error('no such service')
        }
      })
    } as unknown as MasterstageClient
    const tolerant = async ({ client }: UiLoadContext) =>
      (client as any)
        .service('x')
        .find()
        .catch((error: Error) => error.message)
    const context = { ...contextFor('/'), client: failingClient }
    expect(await anonymousSectionData(SITE, SECTION, context, tolerant)).toBe('no such service')
    expect(await anonymousSectionData(SITE, SECTION, context, tolerant)).toBe('no such service')
    expect(apiCalls).toEqual(['find'])
    const strict = async () => {
      if (failing) throw new Error('down')
      return 'up'
    }
    const other = { plugin: 'other', id: 'x' }
    await expect(anonymousSectionData(SITE, other, context, strict)).rejects.toThrow('down')
    failing = false
    expect(await anonymousSectionData(SITE, other, context, strict)).toBe('up')
  })
})
