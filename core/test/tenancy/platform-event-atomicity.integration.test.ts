// Tenant writes and their platform events are one transaction: with a failure injected right after the event
// is written to the outbox, neither the tenant change nor the event is stored; without it, both are.
import type { Collection } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OUTBOX_COLLECTION } from '../../src/events/event-store.ts'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { notesManifest, registerNotesFixture } from '../auth/support/notes-fixture.ts'
import { outboxFailureInjection } from './outbox-failure-injection.ts'

let t: TestApp
let outbox: Collection<any>
let agencyId: string
const injection = outboxFailureInjection()

const tenants = () => (t.app as any).service('tenants')
const eventsNamed = (name: string, match: Record<string, unknown>) =>
  outbox.countDocuments({
    name,
    ...Object.fromEntries(Object.entries(match).map(([key, value]) => [`payload.${key}`, value]))
  })

beforeAll(async () => {
  t = await startTestApp('tenancy-atomic-events', {
    plugins: [notesManifest],
    register: registerNotesFixture,
    configureEvents: injection.configureEvents
  })
  outbox = t.app.get('mongoose').db!.collection(OUTBOX_COLLECTION)
  agencyId = (await (t.app as any).service('agencies').create({ slug: 'atomic', name: 'Atomic' }))._id
})
afterAll(() => t?.close())

describe('tenant writes with their platform events', () => {
  it('creates a tenant and its tenant.created event together, or neither', async () => {
    injection.failNextEmit()
    await expect(tenants().create({ slug: 'half-done', name: 'Half', agencyId })).rejects.toMatchObject({
      code: 500
    })
    expect(await tenants().find({ query: { slug: 'half-done' } })).toMatchObject({ total: 0 })
    expect(await eventsNamed('tenant.created', { slug: 'half-done' })).toBe(0)

    const created = await tenants().create({ slug: 'half-done', name: 'Half', agencyId })
    expect(created.slug).toBe('half-done')
    expect(await eventsNamed('tenant.created', { slug: 'half-done', tenantId: created._id })).toBe(1)
  })

  it('enables and disables a plugin together with its event, or not at all', async () => {
    const tenant = await tenants().create({ slug: 'plugged', name: 'Plugged', agencyId })
    const enable = {
      tenantId: tenant._id,
      plugin: 'notes',
      settings: { color: '#123456' },
      secrets: { apiKey: 'sk_test_12345678' }
    }

    injection.failNextEmit()
    await expect(tenants().enablePlugin(enable)).rejects.toMatchObject({ code: 500 })
    let stored = await tenants().get(tenant._id)
    expect(stored.plugins).toEqual([])
    expect(stored.revision).toBe(tenant.revision)
    expect(await eventsNamed('tenant.plugin.enabled', { tenantId: tenant._id })).toBe(0)

    await tenants().enablePlugin(enable)
    stored = await tenants().get(tenant._id)
    expect(stored.plugins.map((plugin: any) => plugin.name)).toEqual(['notes'])
    expect(await eventsNamed('tenant.plugin.enabled', { tenantId: tenant._id, plugin: 'notes' })).toBe(1)

    injection.failNextEmit()
    await expect(tenants().disablePlugin({ tenantId: tenant._id, plugin: 'notes' })).rejects.toMatchObject({
      code: 500
    })
    stored = await tenants().get(tenant._id)
    expect(stored.plugins.map((plugin: any) => plugin.name)).toEqual(['notes'])
    expect(await eventsNamed('tenant.plugin.disabled', { tenantId: tenant._id })).toBe(0)

    await tenants().disablePlugin({ tenantId: tenant._id, plugin: 'notes' })
    stored = await tenants().get(tenant._id)
    expect(stored.plugins).toEqual([])
    expect(await eventsNamed('tenant.plugin.disabled', { tenantId: tenant._id, plugin: 'notes' })).toBe(1)
  })
})
