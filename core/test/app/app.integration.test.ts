// The assembled API over real HTTP: health and readiness, request ids, error shapes, body limits,
// Redis-down readiness and a graceful stop that drains in-flight requests.
import { setTimeout as sleep } from 'node:timers/promises'
import { io as connectSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopApp } from '../../src/app/server.ts'
import { type StartedTestApp, startTestApp, testConfig } from './test-app.ts'

let running: StartedTestApp

beforeAll(async () => {
  running = await startTestApp(testConfig('app_http', { BODY_LIMIT_BYTES: '2048' }), {}, (app) => {
    // A slow plain route (after the services), to observe draining.
    app.use(async (ctx: any, next: () => Promise<void>) => {
      if (ctx.path !== '/test-slow') return next()
      await sleep(Number(ctx.query.ms ?? 300))
      ctx.body = { finished: true }
    })
  })
})

afterAll(async () => {
  await running?.server.close()
})

describe('health and readiness', () => {
  it('answers /health with 200 and /ready with 200 when MongoDB and Redis are up', async () => {
    const health = await fetch(`${running.url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok' })
    const ready = await fetch(`${running.url}/ready`)
    expect(await ready.json()).toEqual({ status: 'ready', checks: { mongodb: 'up', redis: 'up' } })
    expect(ready.status).toBe(200)
  })

  it('echoes a well-formed X-Request-Id and mints one otherwise', async () => {
    const echoed = await fetch(`${running.url}/health`, { headers: { 'X-Request-Id': 'req-12345678' } })
    expect(echoed.headers.get('x-request-id')).toBe('req-12345678')
    const minted = await fetch(`${running.url}/health`, { headers: { 'X-Request-Id': 'bad id <script>' } })
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('errors', () => {
  it('answers unknown paths with a coded 404 JSON error', async () => {
    const response = await fetch(`${running.url}/no-such-service`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 404, data: { code: 'NOT_FOUND' } })
  })

  it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await fetch(`${running.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'big@example.com', filler: 'x'.repeat(4096) })
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ code: 413, data: { code: 'PAYLOAD_TOO_LARGE' } })
  })

  it('refuses malformed JSON with a 400, not a 500', async () => {
    const response = await fetch(`${running.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": '
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).data.code).toBe('VALIDATION_FAILED')
  })
})

describe('readiness with Redis down', () => {
  it('answers /ready with 503 naming redis', async () => {
    const down = await startTestApp(testConfig('app_redis_down', { REDIS_URL: 'redis://127.0.0.1:1' }))
    try {
      const response = await fetch(`${down.url}/ready`)
      expect(response.status).toBe(503)
      expect(await response.json()).toEqual({
        status: 'unavailable',
        checks: { mongodb: 'up', redis: 'down' }
      })
      expect((await fetch(`${down.url}/health`)).status).toBe(200)
    } finally {
      await down.server.close()
    }
  })
})

describe('graceful stop', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const app = await startTestApp(testConfig('app_drain'), {}, (created) => {
      created.use(async (ctx: any, next: () => Promise<void>) => {
        if (ctx.path !== '/test-slow') return next()
        await sleep(400)
        ctx.body = { finished: true }
      })
    })
    const inFlight = fetch(`${app.url}/test-slow`).then(async (r) => ({
      status: r.status,
      body: await r.json()
    }))
    await sleep(100)
    const stopped = stopApp(app.app)
    const result = await inFlight
    expect(result).toEqual({ status: 200, body: { finished: true } })
    await stopped
    await expect(fetch(`${app.url}/health`)).rejects.toThrow()
    // Stopping twice is harmless.
    await app.server.close()
  })

  it('disconnects connected sockets when the app stops', async () => {
    const app = await startTestApp(testConfig('app_sockets'))
    const socket = connectSocket(app.url, { transports: ['websocket'], reconnection: false })
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
      const disconnected = new Promise<string>((resolve) =>
        socket.once('disconnect', (reason) => resolve(reason))
      )
      await app.server.close()
      const reason = await disconnected
      expect(reason).toMatch(/server|transport/)
    } finally {
      socket.close()
    }
  })
})
