// 503 is the one 5xx that reaches clients as itself (code, Retry-After), over REST and Socket.io; every
// other 5xx stays an opaque 500, and a 503 without core's code gets a generic message.
import { BadGateway, Unavailable } from '@feathersjs/errors'
import type { Connection } from 'mongoose'
import { io as connectSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type PlatformWiring } from '../../src/app/create-app.ts'
import { type RunningServer, startServer } from '../../src/app/server.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { serviceUnavailable } from '../../src/errors/codes.ts'
import { testConfig } from './test-app.ts'

let connection: Connection
let server: RunningServer

const none = () => async (_ctx: unknown, next: () => Promise<void>) => next()
const wiring: Partial<PlatformWiring> = {
  rateLimitMiddleware: none as any,
  resolveTenantMiddleware: none as any,
  configureEvents: async () => undefined,
  configureAccess: async () => undefined,
  configureWebApi: () => undefined,
  loadPlugins: async () => undefined,
  startPlugins: async () => undefined,
  stopPlugins: async () => undefined
}

beforeAll(async () => {
  const config = testConfig('app_unavailable')
  connection = await connectDatabase(config.mongoUri)
  const app = await createApp({ config, connection, wiring })
  ;(app as any).use('flaky', {
    async find() {
      throw serviceUnavailable(7)
    },
    async get() {
      throw new Unavailable('redis at 10.1.2.3:6379 refused')
    },
    async create() {
      throw new BadGateway('upstream token sk_live_123 rejected')
    }
  } as any)
  server = await startServer(app, config)
})
afterAll(async () => {
  await server?.close()
  await connection?.close()
})

describe('5xx answers', () => {
  it('passes a deliberate 503 through with its code and Retry-After', async () => {
    const res = await fetch(`${server.url}/flaky`)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(await res.json()).toMatchObject({
      name: 'Unavailable',
      message: 'Temporarily unavailable, retry shortly',
      data: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 7 }
    })
  })

  it('keeps the 503 status of any other Unavailable but not its message', async () => {
    const res = await fetch(`${server.url}/flaky/1`)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    const text = await res.text()
    expect(text).not.toContain('10.1.2.3')
    expect(JSON.parse(text).data.code).toBe('SERVICE_UNAVAILABLE')
  })

  it('masks every other 5xx as an opaque 500', async () => {
    const res = await fetch(`${server.url}/flaky`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}'
    })
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(text).not.toContain('sk_live_123')
    expect(JSON.parse(text)).toMatchObject({ message: 'Internal error', data: { code: 'INTERNAL' } })
  })

  it('answers socket clients the same way', async () => {
    const socket = connectSocket(server.url, { transports: ['websocket'], reconnection: false })
    const call = (method: string, ...args: unknown[]) =>
      new Promise<any>((resolve) => socket.emit(method, 'flaky', ...args, (error: unknown) => resolve(error)))
    const unavailable = await call('find', {})
    const masked = await call('create', {}, {})
    socket.close()
    expect(unavailable).toMatchObject({
      code: 503,
      data: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 7 }
    })
    expect(masked).toMatchObject({ code: 500, message: 'Internal error' })
    expect(JSON.stringify(masked)).not.toContain('sk_live_123')
  })
})
