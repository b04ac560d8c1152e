// The per-tenant catalogue cache in front of the masterclasses service: what counts as open, when it reads
// again (a change event, the TTL, a miss in an older cache), one read for concurrent misses, a load that
// raced a change is not kept, and a tenant or app without the masterclasses plugin has nothing open.
import { EventEmitter } from 'node:events'
import { currentScope, ErrorCode } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { CATALOGUE_SERVICE_PATH, MasterclassCatalogue } from '../../services/masterclass-catalogue.ts'

interface Entry {
  _id: string
  tenantId: string
  startTime: Date
}

/** A masterclasses service over an in-memory list, counting its reads. */
function fakeApp(entries: Entry[], options: { installed?: boolean; disabledFor?: string[] } = {}) {
  const service = Object.assign(new EventEmitter(), {
    reads: 0,
    find: async (params: any) => {
      service.reads++
      const tenantId = currentScope()?.tenantId
      if (options.disabledFor?.includes(tenantId!))
        throw Object.assign(new Error('disabled'), { data: { code: ErrorCode.PLUGIN_DISABLED } })
      const after = params.query.startTime.$gt.getTime()
      const { $skip, $limit } = params.query
      return entries
        .filter((entry) => entry.tenantId === tenantId && entry.startTime.getTime() > after)
        .slice($skip, $skip + $limit)
        .map(({ _id, startTime }) => ({ _id, startTime }))
    }
  })
  const services: Record<string, unknown> =
    options.installed === false ? {} : { [CATALOGUE_SERVICE_PATH]: service }
  const app = { services, service: (path: string) => services[path] } as any
  return { app, service }
}

/** Lets reads started in the background settle. */
const flush = () => new Promise((resolve) => setImmediate(resolve))

const clock = (start = Date.UTC(2026, 0, 1)) => {
  const time = { now: start }
  return { time, now: () => time.now }
}

describe('masterclass catalogue', () => {
  it('is open for a catalogue entry that has not started, closed for unknown, started and other tenants’ ids', async () => {
    const { time, now } = clock()
    const { app } = fakeApp([
      { _id: 'soon', tenantId: 'a', startTime: new Date(time.now + 5_000) },
      { _id: 'past', tenantId: 'a', startTime: new Date(time.now - 60_000) },
      { _id: 'other', tenantId: 'b', startTime: new Date(time.now + 60_000) }
    ])
    const catalogue = new MasterclassCatalogue({ app, now })
    expect(await catalogue.check('a', 'soon')).toBe('open')
    expect(await catalogue.check('a', 'past')).toBe('closed')
    expect(await catalogue.check('a', 'missing')).toBe('closed')
    expect(await catalogue.check('a', 'other')).toBe('closed')
    // Cached (answered synchronously), and closed once it has started.
    expect(catalogue.check('a', 'soon')).toBe('open')
    time.now += 5_000
    expect(catalogue.check('a', 'soon')).toBe('closed')
  })

  it('answers from the cache, reads again after a change event, the TTL, or a miss in an older cache', async () => {
    const { time, now } = clock()
    const entries: Entry[] = [{ _id: 'one', tenantId: 'a', startTime: new Date(time.now + 3_600_000) }]
    const { app, service } = fakeApp(entries)
    const catalogue = new MasterclassCatalogue({ app, now, ttlMs: 15_000, missRefreshMs: 1_000 })
    expect(await catalogue.check('a', 'one')).toBe('open')
    expect(await catalogue.check('a', 'one')).toBe('open')
    expect(service.reads).toBe(1)

    // Created in this process: the event drops the cache, the new id is open at once.
    entries.push({ _id: 'two', tenantId: 'a', startTime: new Date(time.now + 3_600_000) })
    service.emit('created', { _id: 'two', tenantId: 'a' })
    expect(await catalogue.check('a', 'two')).toBe('open')
    expect(service.reads).toBe(2)

    // Removed in another process (no event here): a miss within missRefreshMs reads nothing...
    entries.push({ _id: 'three', tenantId: 'a', startTime: new Date(time.now + 3_600_000) })
    expect(await catalogue.check('a', 'three')).toBe('closed')
    expect(service.reads).toBe(2)
    // ...after it, one read finds it.
    time.now += 1_001
    expect(await catalogue.check('a', 'three')).toBe('open')
    expect(service.reads).toBe(3)

    // Removed elsewhere: seen once the TTL lapses, the first check after it answered from the expired
    // catalogue while one read refreshes it.
    entries.splice(0, 1)
    expect(await catalogue.check('a', 'one')).toBe('open')
    time.now += 15_000
    expect(await catalogue.check('a', 'one')).toBe('open')
    expect(service.reads).toBe(4)
    await flush()
    expect(catalogue.check('a', 'one')).toBe('closed')
    expect(service.reads).toBe(4)
  })

  it('answers an expired catalogue at once while one read refreshes it, and waits once it is too old', async () => {
    const { time, now } = clock()
    const entries: Entry[] = [{ _id: 'one', tenantId: 'a', startTime: new Date(time.now + 3_600_000) }]
    const { app, service } = fakeApp(entries)
    let release: (() => void) | undefined
    let started = 0
    const find = service.find
    service.find = async (params: any) => {
      // Reads after the first are held until released: a check must not wait on them.
      if (started++ > 0) await new Promise<void>((resolve) => (release = resolve))
      return find(params)
    }
    const catalogue = new MasterclassCatalogue({ app, now, ttlMs: 15_000, serveStaleForMs: 15_000 })
    expect(await catalogue.check('a', 'one')).toBe('open')
    entries.push({ _id: 'two', tenantId: 'a', startTime: new Date(time.now + 3_600_000) })
    time.now += 15_000
    // Expired: ten checks answered from the old catalogue, one read in flight for all of them.
    const answers = await Promise.all(Array.from({ length: 10 }, () => catalogue.check('a', 'one')))
    expect(answers).toEqual(Array(10).fill('open'))
    expect(started).toBe(2)
    release!()
    await flush()
    expect(catalogue.check('a', 'two')).toBe('open')

    // Unused for longer than the TTL and the stale window: the next check waits for a fresh read.
    entries.splice(0, 1)
    time.now += 30_001
    const waiting = catalogue.check('a', 'one')
    expect(waiting).toBeInstanceOf(Promise)
    await flush()
    release!()
    expect(await waiting).toBe('closed')
    expect(started).toBe(3)
  })

  it('spreads the expiries of catalogues read together over the last fifth of the TTL', async () => {
    const { time, now } = clock()
    const tenants = Array.from({ length: 50 }, (_, n) => `t${n}`)
    const { app, service } = fakeApp(
      tenants.map((tenantId) => ({ _id: 'one', tenantId, startTime: new Date(time.now + 3_600_000) }))
    )
    const catalogue = new MasterclassCatalogue({ app, now, ttlMs: 10_000 })
    for (const tenant of tenants) await catalogue.check(tenant, 'one')
    expect(service.reads).toBe(50)
    // Before 80 % of the TTL none has expired; by the TTL every one has, and not all at the same moment.
    const expiredBy = (elapsed: number) => {
      time.now = Date.UTC(2026, 0, 1) + elapsed
      return tenants.filter((tenant) => catalogue.check(tenant, 'one') instanceof Promise).length
    }
    expect(expiredBy(7_999)).toBe(0)
    const midway = expiredBy(9_000)
    expect(midway).toBeGreaterThan(0)
    expect(midway).toBeLessThan(50)
  })

  it('shares one read among concurrent misses and does not keep a load that raced a change', async () => {
    const { time, now } = clock()
    const entries: Entry[] = [{ _id: 'one', tenantId: 'a', startTime: new Date(time.now + 60_000) }]
    const { app, service } = fakeApp(entries)
    const catalogue = new MasterclassCatalogue({ app, now })
    const verdicts = await Promise.all(Array.from({ length: 10 }, () => catalogue.check('a', 'one')))
    expect(verdicts).toEqual(Array(10).fill('open'))
    expect(service.reads).toBe(1)

    service.emit('patched', { _id: 'one', tenantId: 'a' })
    const racing = catalogue.check('a', 'one')
    // Removed while that read is in flight: its result must not be cached.
    entries.splice(0, 1)
    service.emit('removed', { _id: 'one', tenantId: 'a' })
    await racing
    expect(await catalogue.check('a', 'one')).toBe('closed')
    expect(service.reads).toBe(3)
  })

  it('reads a large catalogue in pages', async () => {
    const { time, now } = clock()
    const entries = Array.from({ length: 250 }, (_, n) => ({
      _id: `mc-${n}`,
      tenantId: 'a',
      startTime: new Date(time.now + 60_000 + n)
    }))
    const { app, service } = fakeApp(entries)
    const catalogue = new MasterclassCatalogue({ app, now })
    expect(await catalogue.check('a', 'mc-249')).toBe('open')
    expect(service.reads).toBe(3)
  })

  it('has nothing open for a tenant without the masterclasses plugin, or when it is not installed', async () => {
    const { time, now } = clock()
    const entry = { _id: 'one', tenantId: 'a', startTime: new Date(time.now + 60_000) }
    const disabled = new MasterclassCatalogue({ app: fakeApp([entry], { disabledFor: ['a'] }).app, now })
    expect(await disabled.check('a', 'one')).toBe('closed')
    const missing = new MasterclassCatalogue({ app: fakeApp([entry], { installed: false }).app, now })
    expect(await missing.check('a', 'one')).toBe('closed')
  })

  it('lets other read failures through without caching them', async () => {
    const { app, service } = fakeApp([])
    let fail = true
    const find = service.find
    service.find = async (params: any) => {
      if (fail) throw new Error('database unreachable')
      return find(params)
    }
    const catalogue = new MasterclassCatalogue({ app })
    await expect(catalogue.check('a', 'one')).rejects.toThrow('database unreachable')
    fail = false
    expect(await catalogue.check('a', 'one')).toBe('closed')
  })
})
