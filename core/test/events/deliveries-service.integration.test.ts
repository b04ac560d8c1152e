// `events/deliveries` over real HTTP: platform admins see failed deliveries with their error and replay
// them; everyone else is refused; bad queries get field errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DurableEventBus } from '../../src/events/durable-event-bus.ts'
import notes from '../fixtures/plugins/notes/plugin.ts'
import { waitUntil } from '../jobs/wait-until.ts'
import { type PluginTestApp, startPluginTestApp } from '../plugins/plugin-test-app.ts'

const PASSWORD = 'correct-horse-battery'
let t: PluginTestApp
let adminToken: string
let hostToken: string
let failing = true

async function login(email: string): Promise<string> {
  const response = await fetch(`${t.url}/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ strategy: 'local', email, password: PASSWORD })
  })
  expect(response.status).toBe(201)
  return ((await response.json()) as { accessToken: string }).accessToken
}

function deliveries(path: string, token?: string, init: RequestInit = {}) {
  return fetch(`${t.url}/events/deliveries${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.headers ?? {})
    }
  })
}

beforeAll(async () => {
  t = await startPluginTestApp('event-deliveries', [notes])
  const bus = t.app.get('events') as DurableEventBus
  bus.subscribe(
    'notes.note.created',
    'test.flaky-webhook',
    async () => {
      if (failing) throw new Error('partner endpoint returned 503')
    },
    { attempts: 2, backoffMs: 20 }
  )
  const tenantId = await t.createTenant('deliveries', ['notes'])
  const users = t.app.service('users' as any) as any
  await users.createStaff({
    email: 'root@platform.test',
    name: 'Root',
    role: 'platform_admin',
    password: PASSWORD
  })
  await users.createStaff({
    email: 'host@tenant.test',
    name: 'Host',
    role: 'host',
    password: PASSWORD,
    tenantIds: [tenantId]
  })
  adminToken = await login('root@platform.test')
  hostToken = await login('host@tenant.test')
})
afterAll(async () => {
  await t?.close()
})

describe('events/deliveries service', () => {
  it('shows a failed delivery with its error to platform admins, and replays it', async () => {
    const created = await fetch(`${t.url}/notes/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant': 'deliveries' },
      body: JSON.stringify({ text: 'trigger' })
    })
    expect(created.status).toBe(201)
    const note = (await created.json()) as { _id: string }
    const id = `note-created:${note._id}:test.flaky-webhook`
    await waitUntil(async () => {
      const response = await deliveries('?status=failed', adminToken)
      return ((await response.json()) as { _id: string }[]).some((delivery) => delivery._id === id)
    })
    const failed = (await (await deliveries(`/${encodeURIComponent(id)}`, adminToken)).json()) as Record<
      string,
      any
    >
    expect(failed).toMatchObject({
      status: 'failed',
      handler: 'test.flaky-webhook',
      eventName: 'notes.note.created',
      attempts: 2,
      lastError: { message: 'partner endpoint returned 503' }
    })
    // The plugin's own subscriber to the same event was not affected.
    const completed = (await (await deliveries('?handler=notes.count-notes', adminToken)).json()) as any[]
    expect(completed.map((delivery) => delivery.status)).toEqual(['completed'])

    failing = false
    const replay = await deliveries('', adminToken, {
      method: 'POST',
      headers: { 'x-service-method': 'replay' },
      body: JSON.stringify({ id })
    })
    expect(replay.status).toBeLessThan(300)
    expect(await replay.json()).toMatchObject({ _id: id, status: 'pending', replays: 1 })
    await waitUntil(
      async () =>
        ((await (await deliveries(`/${encodeURIComponent(id)}`, adminToken)).json()) as any).status ===
        'completed'
    )

    const again = await deliveries('', adminToken, {
      method: 'POST',
      headers: { 'x-service-method': 'replay' },
      body: JSON.stringify({ id })
    })
    expect(again.status).toBe(409)
  })

  it('refuses anonymous callers and non-admins', async () => {
    expect((await deliveries('')).status).toBe(401)
    const asHost = await deliveries('', hostToken)
    expect(asHost.status).toBe(403)
    const replayAsHost = await deliveries('', hostToken, {
      method: 'POST',
      headers: { 'x-service-method': 'replay' },
      body: JSON.stringify({ id: 'x' })
    })
    expect(replayAsHost.status).toBe(403)
  })

  it('answers bad queries with field errors and unknown ids with 404', async () => {
    const bad = await deliveries('?status=exploded&color=red&$limit=5000', adminToken)
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as { data: { code: string }; errors: { path: string }[] }
    expect(body.data.code).toBe('QUERY_NOT_ALLOWED')
    expect(body.errors.map((error) => error.path).sort()).toEqual(['$limit', 'color', 'status'])
    expect((await deliveries('/nope', adminToken)).status).toBe(404)
    const missingId = await deliveries('', adminToken, {
      method: 'POST',
      headers: { 'x-service-method': 'replay' },
      body: JSON.stringify({})
    })
    expect(missingId.status).toBe(400)
  })
})
