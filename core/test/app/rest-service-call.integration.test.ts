// Services called by the platform's front itself (rest-service-call.ts) answer as through Feathers' Koa REST
// chain: arguments and params, status codes, 405 for a method the service does not expose (also through
// X-Service-Method), a service's own Koa middleware, and Koa's chain for paths that are no service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartedTestApp, startTestApp, testConfig } from './test-app.ts'

let running: StartedTestApp

class Probe {
  async get(id: string, params: any) {
    return { id, query: params.query, provider: params.provider, requestId: params.requestId }
  }
  async create(data: unknown, params: any) {
    return { data, hasIp: typeof params.ip === 'string' }
  }
  async ping(data: unknown) {
    return { pong: data }
  }
}

beforeAll(async () => {
  running = await startTestApp(testConfig('rest_service_call'), {}, (app: any) => {
    app.use('probe/plain', new Probe(), { methods: ['get', 'create', 'ping'] })
    app.use('probe/koa', new Probe(), {
      methods: ['get'],
      koa: {
        before: [
          async (ctx: any, next: () => Promise<void>) => {
            ctx.set('X-Probe-Before', 'yes')
            await next()
          }
        ]
      }
    })
    // One function instead of a list, as Feathers also accepts.
    app.use('probe/koa-one', new Probe(), {
      methods: ['get'],
      koa: {
        after: async (ctx: any, next: () => Promise<void>) => {
          await next()
          ctx.set('X-Probe-After', 'yes')
        }
      } as any
    })
    // After the services, as a plugin's own route would be.
    app.use(async (ctx: any, next: () => Promise<void>) => {
      if (ctx.path !== '/probe-route') return next()
      ctx.body = { route: true }
    })
  })
})

afterAll(async () => {
  await running?.server.close()
})

describe('services called by the front', () => {
  it('passes id, query and the request params, and answers 200 and 201', async () => {
    const got = await fetch(`${running.url}/probe/plain/7?tag=a`, {
      headers: { 'X-Request-Id': 'req-rest-call-1' }
    })
    expect(got.status).toBe(200)
    expect(await got.json()).toEqual({
      id: '7',
      query: { tag: 'a' },
      provider: 'rest',
      requestId: 'req-rest-call-1'
    })
    const created = await fetch(`${running.url}/probe/plain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x' })
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ data: { title: 'x' }, hasIp: true })
  })

  it('runs a custom method named by X-Service-Method, and refuses methods the service does not expose', async () => {
    const custom = await fetch(`${running.url}/probe/plain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Service-Method': 'ping' },
      body: JSON.stringify({ n: 1 })
    })
    expect(await custom.json()).toEqual({ pong: { n: 1 } })
    const patched = await fetch(`${running.url}/probe/plain/7`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{}'
    })
    expect(patched.status).toBe(405)
    expect(((await patched.json()) as any).data.code).toBe('METHOD_NOT_ALLOWED')
    const overridden = await fetch(`${running.url}/probe/plain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Service-Method': 'remove' },
      body: '{}'
    })
    expect(overridden.status).toBe(405)
  })

  it("keeps a service's own Koa middleware, and Koa's chain for paths that are no service", async () => {
    const withMiddleware = await fetch(`${running.url}/probe/koa/3`)
    expect(withMiddleware.headers.get('x-probe-before')).toBe('yes')
    expect(((await withMiddleware.json()) as any).id).toBe('3')
    const withOne = await fetch(`${running.url}/probe/koa-one/4`)
    expect(withOne.headers.get('x-probe-after')).toBe('yes')
    expect(((await withOne.json()) as any).id).toBe('4')
    expect(await (await fetch(`${running.url}/probe-route`)).json()).toEqual({ route: true })
    const missing = await fetch(`${running.url}/probe-missing`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).data.code).toBe('NOT_FOUND')
  })
})
