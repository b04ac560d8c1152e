// The plugin host in a real app over real HTTP: a plugin's service, model, event subscriber, job and
// webhook work for tenants that enabled it, and answer 404 for tenants that did not.
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAsSystem } from '../../src/context/request-scope.ts'
import notes, { WEBHOOK_SECRET } from '../fixtures/plugins/notes/plugin.ts'
import { waitUntil } from '../jobs/wait-until.ts'
import { type PluginTestApp, startPluginTestApp } from './plugin-test-app.ts'

let t: PluginTestApp
let enabledTenant: string
let disabledTenant: string

beforeAll(async () => {
  t = await startPluginTestApp('plugin-host', [notes])
  enabledTenant = await t.createTenant('with-notes', ['notes'])
  disabledTenant = await t.createTenant('without-notes', [])
})
afterAll(async () => {
  await t?.close()
})

interface NoteJson {
  _id: string
  text: string
  tenantId: string
  indexed: boolean
}

async function json<T = NoteJson[]>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T
}

function call(path: string, tenant: string, init: RequestInit = {}) {
  return fetch(`${t.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', 'x-tenant': tenant, ...(init.headers ?? {}) }
  })
}

describe('plugin host over HTTP', () => {
  it('serves the plugin service at <plugin>/<path> for a tenant that enabled it', async () => {
    const created = await call('/notes/notes', 'with-notes', {
      method: 'POST',
      body: JSON.stringify({ text: 'first' })
    })
    expect(created.status).toBe(201)
    const note = await json<NoteJson>(created)
    expect(note).toMatchObject({ text: 'first', tenantId: enabledTenant, indexed: false })
    const list = await json(call('/notes/notes', 'with-notes'))
    expect(list.map((entry: { text: string }) => entry.text)).toEqual(['first'])

    // The job enqueued by the service ran in the tenant's scope and updated the note.
    await waitUntil(
      async () => (await json<NoteJson>(call(`/notes/notes/${note._id}`, 'with-notes'))).indexed === true
    )
    // The subscriber ran once for the event, in the tenant's scope.
    const Stat = t.app.get('mongoose').model<{ key: string; count: number }>('notes.stat')
    await waitUntil(
      async () =>
        (await runAsSystem('test', enabledTenant, () => Stat.findOne({ key: 'created' }).lean().exec()))
          ?.count === 1
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const stat = await runAsSystem('test', enabledTenant, () =>
      Stat.findOne({ key: 'created' }).lean().exec()
    )
    expect(stat).toMatchObject({ count: 1, tenantId: enabledTenant })
  })

  it('answers 404 PLUGIN_DISABLED on a tenant without the plugin, and stores nothing', async () => {
    const created = await call('/notes/notes', 'without-notes', {
      method: 'POST',
      body: JSON.stringify({ text: 'x' })
    })
    expect(created.status).toBe(404)
    expect(await created.json()).toMatchObject({
      name: 'NotFound',
      code: 404,
      data: { code: 'PLUGIN_DISABLED' }
    })
    const list = await call('/notes/notes', 'without-notes')
    expect(list.status).toBe(404)
    const Note = t.app.get('mongoose').model('notes.note')
    expect(await runAsSystem('test', disabledTenant, () => Note.countDocuments({}).exec())).toBe(0)
  })

  it('refuses internal calls in the scope of a tenant without the plugin', async () => {
    const service = t.app.service('notes/notes' as any) as any
    await expect(runAsSystem('notes.job', disabledTenant, () => service.find({}))).rejects.toMatchObject({
      code: 404,
      data: { code: 'PLUGIN_DISABLED' }
    })
    const found = await runAsSystem('notes.job', enabledTenant, () => service.find({}))
    expect(found.length).toBeGreaterThan(0)
  })

  it('keeps tenants apart: a note of one tenant is invisible to another', async () => {
    const other = await t.createTenant('also-notes', ['notes'])
    await call('/notes/notes', 'also-notes', {
      method: 'POST',
      body: JSON.stringify({ text: 'other tenant' })
    })
    const mine = await json(call('/notes/notes', 'with-notes'))
    expect(mine.every((note: { tenantId: string }) => note.tenantId === enabledTenant)).toBe(true)
    const theirs = await json(call('/notes/notes', 'also-notes'))
    expect(theirs.map((note: { text: string; tenantId: string }) => [note.text, note.tenantId])).toEqual([
      ['other tenant', other]
    ])
  })

  it('returns field errors for bad input', async () => {
    const response = await call('/notes/notes', 'with-notes', {
      method: 'POST',
      body: JSON.stringify({ text: '' })
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      data: { code: 'VALIDATION_FAILED' },
      errors: [{ path: 'text', message: 'is required' }]
    })
  })

  it('mounts webhooks at /webhooks/<plugin>/<path> with the raw body and a size cap', async () => {
    const body = '{"event":"ping",  "spaces":"kept exactly"}'
    const signature = createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')
    const ok = await fetch(`${t.url}/webhooks/notes/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body
    })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ received: Buffer.byteLength(body) })

    const forged = await fetch(`${t.url}/webhooks/notes/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body: body.replace('ping', 'pong')
    })
    expect(forged.status).toBe(401)

    const tooLarge = await fetch(`${t.url}/webhooks/notes/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(t.config.bodyLimitBytes + 1, 1)
    })
    expect(tooLarge.status).toBe(413)
    expect(await tooLarge.json()).toMatchObject({ data: { code: 'PAYLOAD_TOO_LARGE' } })

    const unknown = await fetch(`${t.url}/webhooks/notes/nope`, { method: 'POST', body: '{}' })
    expect(unknown.status).toBe(404)
  })

  it('rate limits a webhook route per client when the manifest asks for it', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++)
      statuses.push((await fetch(`${t.url}/webhooks/notes/status?probe=${i}`)).status)
    expect(statuses).toEqual([200, 200, 429])
    const limited = await fetch(`${t.url}/webhooks/notes/status`)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await limited.json()).toMatchObject({ code: 429, data: { code: 'RATE_LIMITED' } })
  })

  it('gives plugins their per-tenant settings with defaults, and only their own models', async () => {
    const context = t.app.get('plugins').get('notes')
    expect(context?.version).toBe('1.2.0')
    const { createPluginTenantConfig } = await import('../../src/plugins/tenant-plugin-state.ts')
    const tenants = createPluginTenantConfig(t.app, notes)
    expect(await tenants.isEnabled(enabledTenant)).toBe(true)
    expect(await tenants.isEnabled(disabledTenant)).toBe(false)
    expect(await tenants.settings(enabledTenant)).toEqual({ greeting: 'Hello' })
    expect(await tenants.enabledTenantIds()).toContain(enabledTenant)
    expect(await tenants.enabledTenantIds()).not.toContain(disabledTenant)
  })

  it('reads settings and decrypted secrets configured through the tenants service; disabling takes effect at once', async () => {
    const tenantId = await t.createTenant('configured', [])
    const tenantsService = t.app.service('tenants' as any) as any
    await tenantsService.enablePlugin({
      tenantId,
      plugin: 'notes',
      settings: { greeting: 'Yo' },
      secrets: { apiKey: 'sk_test_12345' }
    })
    const { createPluginTenantConfig } = await import('../../src/plugins/tenant-plugin-state.ts')
    const tenants = createPluginTenantConfig(t.app, notes)
    const settings = await tenants.settings(tenantId)
    expect(settings).toEqual({ greeting: 'Yo' })
    // Parsed once per tenant change and shared, so frozen: a caller cannot change another's view. (The
    // write's own invalidation broadcast may still arrive and drop the first parse.)
    expect(Object.isFrozen(settings)).toBe(true)
    await waitUntil(
      async () => {
        const first = await tenants.settings(tenantId)
        const second = await tenants.settings(tenantId)
        return first === second
      },
      5_000,
      'settings parsed once and reused'
    )
    await tenantsService.enablePlugin({ tenantId, plugin: 'notes', settings: { greeting: 'Hi' } })
    expect(await tenants.settings(tenantId)).toEqual({ greeting: 'Hi' })
    expect(await tenants.secrets(tenantId)).toEqual({ apiKey: 'sk_test_12345' })
    expect((await call('/notes/notes', 'configured')).status).toBe(200)

    await tenantsService.disablePlugin({ tenantId, plugin: 'notes' })
    expect(await tenants.isEnabled(tenantId)).toBe(false)
    const refused = await call('/notes/notes', 'configured')
    expect(refused.status).toBe(404)
    expect(await refused.json()).toMatchObject({ data: { code: 'PLUGIN_DISABLED' } })
  })
})
