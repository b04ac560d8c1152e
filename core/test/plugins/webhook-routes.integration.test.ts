// Webhook routes in the real app over real HTTP run behind the request-id, access-log and error-handler
// middleware: responses carry a request id, handler errors come back coded, internals never leak.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validationError } from '../../src/errors/codes.ts'
import type { PluginManifest } from '../../src/plugins/plugin-manifest.ts'
import { type PluginTestApp, startPluginTestApp } from './plugin-test-app.ts'

const hooks: PluginManifest = {
  name: 'hooks',
  version: '1.0.0',
  description: 'webhook fixture',
  webhooks: [
    {
      method: 'POST',
      path: 'echo',
      handle: async (request) => ({ status: 200, body: { raw: request.rawBody.toString('utf8') } })
    },
    {
      method: 'POST',
      path: 'invalid',
      handle: async () => {
        throw validationError('Bad event', [{ path: 'type', message: 'is unknown' }])
      }
    },
    {
      method: 'POST',
      path: 'broken',
      handle: async () => {
        throw new Error('db password is hunter2')
      }
    }
  ]
}

let t: PluginTestApp
beforeAll(async () => {
  t = await startPluginTestApp('webhook-routes', [hooks])
})
afterAll(async () => {
  await t?.close()
})

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/webhooks/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body
  })

describe('webhook routes behind the app middleware', () => {
  it('keeps the raw body byte for byte and answers with a request id (echoing a given one)', async () => {
    const body = '{ "a" :1,\n  "b": "kept" }'
    const res = await post('echo', body, { 'x-request-id': 'provider-delivery-0001' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ raw: body })
    expect(res.headers.get('x-request-id')).toBe('provider-delivery-0001')
    const minted = await post('echo', '{}')
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers a coded handler error with its status, code and field errors', async () => {
    const res = await post('invalid', '{}')
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      code: 400,
      data: { code: 'VALIDATION_FAILED' }
    })
    expect(res.headers.get('x-request-id')).toBeTruthy()
  })

  it('turns an unknown handler error into a generic 500 carrying the request id, without its message', async () => {
    const res = await post('broken', '{}')
    expect(res.status).toBe(500)
    const body = await res.json()
    const requestId = res.headers.get('x-request-id')
    expect(requestId).toBeTruthy()
    expect(body).toMatchObject({ code: 500, data: { code: 'INTERNAL', requestId } })
    expect(JSON.stringify(body)).not.toContain('hunter2')
  })
})
