// Anonymous landing-section data: the API answers are cached once whatever brought the visitor (utm_*
// parameters, attribution), while each visit's load still derives its own attribution fields from them.
import type { MasterstageClient, UiAttribution, UiLoadContext } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

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

afterEach(() => {
  vi.useRealTimers()
})

/** A client whose `path` fails (429, as the API's per-IP limit answers) the first `failures` times. */
function flakyClient(failing: string, failures: number) {
  let left = failures
  return {
    service: (path: string) => ({
      find: async (params: { query?: unknown } = {}) => {
        apiCalls.push(`${path} find ${JSON.stringify(params.query ?? {})}`)
        if (path === failing && left-- > 0) throw Object.assign(new Error('Too many requests'), { code: 429 })
        return { data: [{ _id: `${path}-1` }] }
      }
    })
  } as unknown as MasterstageClient
}

/** A landing form reading two services, the second one tolerated when it fails (an empty list then). */
async function twoReads({ client }: UiLoadContext) {
  const copy = await (client as any).service('copy').find({})
  const list = await (client as any)
    .service('masterclasses')
    .find({})
    .catch(() => ({ data: [] }))
  return { copy: copy.data, masterclasses: list.data }
}

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

  it('answers a failed call with the same failure, and never keeps a failed call or load', async () => {
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
    // The visitor whose load met the failure got it from the recording (one call); the next one asks again.
    expect(apiCalls).toEqual(['find'])
    expect(await anonymousSectionData(SITE, SECTION, context, tolerant)).toBe('no such service')
    expect(apiCalls).toEqual(['find', 'find'])
    const strict = async () => {
      if (failing) throw new Error('down')
      return 'up'
    }
    const other = { plugin: 'other', id: 'x' }
    await expect(anonymousSectionData(SITE, other, context, strict)).rejects.toThrow('down')
    failing = false
    expect(await anonymousSectionData(SITE, other, context, strict)).toBe('up')
  })

  it('does not keep a load that met a failed call: the next visitor gets fresh live calls', async () => {
    const client = flakyClient('masterclasses', 1)
    const first = await anonymousSectionData(SITE, SECTION, { ...contextFor('/'), client }, twoReads)
    expect(first).toEqual({ copy: [{ _id: 'copy-1' }], masterclasses: [] })
    const next = await anonymousSectionData(SITE, SECTION, { ...contextFor('/'), client }, twoReads)
    expect(next).toEqual({ copy: [{ _id: 'copy-1' }], masterclasses: [{ _id: 'masterclasses-1' }] })
    expect(apiCalls).toEqual([
      'copy find {}',
      'masterclasses find {}',
      'copy find {}',
      'masterclasses find {}'
    ])
    // That recording is kept: a third visitor asks nothing.
    await anonymousSectionData(SITE, SECTION, { ...contextFor('/'), client }, twoReads)
    expect(apiCalls).toHaveLength(4)
  })

  it('never hands one visitor failure to the visitors sharing its recording', async () => {
    const client = flakyClient('masterclasses', 1)
    const [first, joined] = await Promise.all([
      anonymousSectionData(SITE, SECTION, { ...contextFor('/'), client }, twoReads),
      anonymousSectionData(SITE, SECTION, { ...contextFor('/'), client }, twoReads)
    ])
    expect(first).toEqual({ copy: [{ _id: 'copy-1' }], masterclasses: [] })
    // The joined visit took the recorded copy and asked for the failed call itself.
    expect(joined).toEqual({ copy: [{ _id: 'copy-1' }], masterclasses: [{ _id: 'masterclasses-1' }] })
    expect(apiCalls).toEqual(['copy find {}', 'masterclasses find {}', 'masterclasses find {}'])
  })

  it('asks the API for real when a call has the same service and method but another query', async () => {
    const bySource = async ({ client, attribution }: UiLoadContext) =>
      (client as any).service('masterclasses').find({ query: { audience: attribution?.utmSource ?? 'all' } })
    await anonymousSectionData(SITE, SECTION, contextFor('/'), bySource)
    await anonymousSectionData(SITE, SECTION, contextFor('/', { utmSource: 'yoga' }), bySource)
    expect(apiCalls).toEqual([
      'masterclasses find {"query":{"audience":"all"}}',
      'masterclasses find {"query":{"audience":"yoga"}}'
    ])
    const byId = async ({ client, attribution }: UiLoadContext) =>
      (client as any).service('masterclasses').get(attribution ? 'm2' : 'm1')
    expect(await anonymousSectionData(SITE, SECTION, contextFor('/'), byId)).toEqual({ _id: 'm1' })
    expect(await anonymousSectionData(SITE, SECTION, contextFor('/', { utmSource: 'a' }), byId)).toEqual({
      _id: 'm2'
    })
  })

  it('takes a query in another key order, or asking from its own now, as the same question', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-03-01T10:00:00.000Z'))
    const upcoming = async ({ client, attribution }: UiLoadContext) => {
      const since = { $gte: new Date().toISOString() }
      const query = attribution
        ? { $limit: 20, startTime: since, $sort: { startTime: 1 } }
        : { $sort: { startTime: 1 }, startTime: since, $limit: 20 }
      return (client as any).service('masterclasses').find({ query })
    }
    await anonymousSectionData(SITE, SECTION, contextFor('/'), upcoming)
    vi.setSystemTime(new Date('2026-03-01T10:00:30.000Z'))
    await anonymousSectionData(SITE, SECTION, contextFor('/', { utmSource: 'a' }), upcoming)
    expect(apiCalls).toHaveLength(1)
    // A fixed time is compared as it is.
    const since = async ({ client, attribution }: UiLoadContext) =>
      (client as any)
        .service('masterclasses')
        .find({ query: { startTime: attribution ? '2026-01-01T00:00:00.000Z' : '2025-01-01T00:00:00.000Z' } })
    await anonymousSectionData(SITE, { plugin: 'other', id: 'x' }, contextFor('/'), since)
    await anonymousSectionData(SITE, { plugin: 'other', id: 'x' }, contextFor('/', { utmSource: 'a' }), since)
    expect(apiCalls).toHaveLength(3)
  })

  it('shares one entry between click ids, ?ref= and parameter orders, each load reading its own URL', async () => {
    const withRef = async ({ client, url }: UiLoadContext) => {
      await (client as any).service('masterclasses').find({})
      return { ref: url.searchParams.get('ref'), fbclid: url.searchParams.get('fbclid') }
    }
    const visits = [
      '/?b=2&a=1&fbclid=IwAR0x',
      '/?a=1&gclid=Cj0K&b=2&ref=https://partner.test/',
      '/?a=1&b=2&msclkid=9&_ga=1.2&mc_eid=e&utm_source=x',
      '/?gbraid=1&a=1&wbraid=2&b=2&dclid=3&yclid=4&mc_cid=5'
    ]
    const seen = []
    for (const path of visits) seen.push(await anonymousSectionData(SITE, SECTION, contextFor(path), withRef))
    expect(apiCalls).toHaveLength(1)
    expect(seen.slice(0, 2)).toEqual([
      { ref: null, fbclid: 'IwAR0x' },
      { ref: 'https://partner.test/', fbclid: null }
    ])
    // Other parameters still make their own entry.
    await anonymousSectionData(SITE, SECTION, contextFor('/?a=1&b=3'), withRef)
    expect(apiCalls).toHaveLength(2)
  })
})
