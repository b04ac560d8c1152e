// Anonymous landing-section data: a plain burst cache of the section load's result, one entry for every
// campaign, click and referrer of one URL (the load runs without those tags), one per other parameters;
// failures and partial data are not kept; concurrent misses share one load.
import type { MasterstageClient, UiLoadContext } from '@masterstage/core/client'
import type { PublicSite } from '@masterstage/core/web-api/site-service.ts'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('$env/dynamic/private', () => ({ env: { SITE_CACHE_MS: '60000', REDIS_URL: 'off' } }))
const { anonymousSectionData, invalidateSites } = await import('../src/lib/server/site-cache.ts')

const SITE = { id: 't1', revision: 1 } as PublicSite
const SECTION = { plugin: 'pipeline', id: 'registration' }

const contextFor = (path: string): UiLoadContext => ({
  client: {} as MasterstageClient,
  tenant: { id: 't1', slug: 'echo', name: 'Echo', enabledPlugins: ['pipeline'] },
  params: {},
  url: new URL(`http://echo.localhost${path}`)
})

/** The query string each load ran with, in order. */
let loads: string[] = []
const load = async ({ url }: UiLoadContext) => {
  loads.push(url.search)
  return { masterclasses: [{ _id: 'm1' }], preselected: url.searchParams.get('masterclass') }
}

beforeEach(() => {
  loads = []
  invalidateSites()
})

describe('anonymous section data', () => {
  it('shares one entry between campaigns, click ids, ?ref= and parameter orders, loaded without them', async () => {
    const visits = [
      '/?b=2&a=1&utm_source=alpha&utm_campaign=one',
      '/?a=1&b=2&utm_source=beta&utm_term=x&fbclid=IwAR0x',
      '/?a=1&gclid=Cj0K&b=2&ref=https://partner.test/',
      '/?a=1&b=2&msclkid=9&_ga=1.2&mc_eid=e',
      '/?gbraid=1&a=1&wbraid=2&b=2&dclid=3&yclid=4&mc_cid=5&ttclid=6&twclid=7&igshid=8&_gl=9'
    ]
    const data = []
    for (const path of visits) data.push(await anonymousSectionData(SITE, SECTION, contextFor(path), load))
    expect(loads).toEqual(['?a=1&b=2'])
    expect(new Set(data).size).toBe(1)
  })

  it('keeps other parameters, sections, tenants and revisions apart', async () => {
    await anonymousSectionData(SITE, SECTION, contextFor('/?masterclass=m1&utm_source=a'), load)
    const m2 = await anonymousSectionData(SITE, SECTION, contextFor('/?masterclass=m2&utm_source=a'), load)
    await anonymousSectionData(SITE, { plugin: 'other', id: 'x' }, contextFor('/?masterclass=m1'), load)
    await anonymousSectionData({ ...SITE, revision: 2 }, SECTION, contextFor('/?masterclass=m1'), load)
    await anonymousSectionData({ ...SITE, id: 't2' }, SECTION, contextFor('/?masterclass=m1'), load)
    expect(loads).toEqual([
      '?masterclass=m1',
      '?masterclass=m2',
      '?masterclass=m1',
      '?masterclass=m1',
      '?masterclass=m1'
    ])
    expect(m2).toMatchObject({ preselected: 'm2' })
  })

  it('does not keep a load that failed or data it marked partial', async () => {
    let outcome: 'throws' | 'partial' | 'ok' = 'throws'
    const flaky = async () => {
      loads.push(outcome)
      if (outcome === 'throws') throw new Error('API down')
      return outcome === 'partial' ? { masterclasses: [], partial: true } : { masterclasses: [{ _id: 'm1' }] }
    }
    await expect(anonymousSectionData(SITE, SECTION, contextFor('/'), flaky)).rejects.toThrow('API down')
    outcome = 'partial'
    expect(await anonymousSectionData(SITE, SECTION, contextFor('/'), flaky)).toMatchObject({ partial: true })
    outcome = 'ok'
    const fresh = await anonymousSectionData(SITE, SECTION, contextFor('/'), flaky)
    expect(fresh).toEqual({ masterclasses: [{ _id: 'm1' }] })
    // The complete data is kept: the next visitor asks nothing.
    await anonymousSectionData(SITE, SECTION, contextFor('/?utm_source=x'), flaky)
    expect(loads).toEqual(['throws', 'partial', 'ok'])
  })

  it('shares one load between concurrent misses', async () => {
    const { promise: released, resolve: release } = Promise.withResolvers<void>()
    let started = 0
    const slow = async (context: UiLoadContext) => {
      started++
      await released
      return load(context)
    }
    const visits = Promise.all(
      ['/?utm_source=a', '/?utm_source=b', '/?fbclid=c'].map((path) =>
        anonymousSectionData(SITE, SECTION, contextFor(path), slow)
      )
    )
    await vi.waitFor(() => expect(started).toBe(1))
    release()
    const data = await visits
    expect(started).toBe(1)
    expect(loads).toEqual([''])
    expect(new Set(data).size).toBe(1)
  })

  it('loads again after a tenant change', async () => {
    await anonymousSectionData(SITE, SECTION, contextFor('/'), load)
    invalidateSites()
    await anonymousSectionData(SITE, SECTION, contextFor('/'), load)
    expect(loads).toEqual(['', ''])
  })
})
