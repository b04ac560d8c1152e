// Core's per-IP limit over Socket.io: service calls on a connected socket count against the same budget as
// the IP's HTTP requests; past it the acknowledgement carries RATE_LIMITED and the service is not called.
// Real sockets (socket.io-client), real HTTP, real Redis counters; Redis down fails open.
import { randomBytes } from 'node:crypto'
import { io, type Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Application } from '../../src/app/declarations.ts'
import { registerService } from '../../src/app/register-service.ts'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'
import { api } from '../auth/support/http-client.ts'
import { unreachableRedis } from './unreachable-redis.ts'

const BUDGET = 5
const ECHO_PATH = 'socket-limit-echo'

/** A public, tenant-free service that counts its invocations. */
function echoService(calls: { count: number }) {
  return (app: Application) =>
    registerService(app, {
      path: ECHO_PATH,
      service: {
        create: async (data: any) => {
          calls.count++
          return data
        }
      } as any,
      methods: ['create'],
      access: { create: 'public' },
      tenantScoped: false
    })
}

const sockets: Socket[] = []
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close()
})

/** A socket that presents itself as `ip` (the app trusts one proxy hop). */
async function connectFrom(url: string, ip: string): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    extraHeaders: { 'x-forwarded-for': ip },
    reconnection: false,
    forceNew: true
  })
  sockets.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

/** One `create` over the socket: the acknowledgement's error, or null with the result. */
function createOver(socket: Socket, data: unknown): Promise<{ error: any; result?: any }> {
  return new Promise((resolve) => {
    socket.emit('create', ECHO_PATH, data, {}, (error: any, result: any) => resolve({ error, result }))
  })
}

describe('per-IP limit over Socket.io', () => {
  let t: TestApp
  const calls = { count: 0 }
  beforeAll(async () => {
    t = await startTestApp('rl-socket-calls', {
      httpLimit: { name: `http-ip-${randomBytes(4).toString('hex')}`, points: BUDGET, durationSeconds: 60 },
      config: { trustProxy: true },
      register: echoService(calls)
    })
  })
  afterAll(() => t?.close())

  it('refuses calls past the budget with RATE_LIMITED and does not invoke the service', async () => {
    const socket = await connectFrom(t.url, '198.51.100.1')
    const before = calls.count
    const answers = []
    for (let index = 0; index < BUDGET + 2; index++) answers.push(await createOver(socket, { index }))
    expect(answers.slice(0, BUDGET).map((answer) => answer.error)).toEqual(Array(BUDGET).fill(null))
    expect(answers[BUDGET - 1].result).toEqual({ index: BUDGET - 1 })
    for (const { error } of answers.slice(BUDGET)) {
      expect(error).toMatchObject({ name: 'TooManyRequests', code: 429, data: { code: 'RATE_LIMITED' } })
      expect(error.data.retryAfterSeconds).toBeGreaterThan(0)
    }
    expect(calls.count - before).toBe(BUDGET)
    // A new socket from the same IP gets no fresh budget.
    const again = await connectFrom(t.url, '198.51.100.1')
    expect((await createOver(again, {})).error?.data?.code).toBe('RATE_LIMITED')
    expect(calls.count - before).toBe(BUDGET)
  })

  it('leaves other IPs their own budget', async () => {
    const socket = await connectFrom(t.url, '198.51.100.2')
    expect((await createOver(socket, { other: true })).error).toBeNull()
  })

  it('shares one budget between HTTP requests and socket calls of an IP', async () => {
    const ip = '198.51.100.3'
    const headers = { 'x-forwarded-for': ip }
    for (let index = 0; index < BUDGET - 2; index++)
      expect((await api(t.url).post(`/${ECHO_PATH}`, { index }, { headers })).status).toBe(201)
    const socket = await connectFrom(t.url, ip)
    expect((await createOver(socket, { last: 1 })).error).toBeNull()
    expect((await createOver(socket, { last: 2 })).error).toBeNull()
    expect((await createOver(socket, { over: true })).error?.data?.code).toBe('RATE_LIMITED')
    const http = await api(t.url).post(`/${ECHO_PATH}`, {}, { headers })
    expect(http.status).toBe(429)
    expect(http.body.data.code).toBe('RATE_LIMITED')
  })

  it('opens a new budget once the window has passed', async () => {
    const rule = { name: `http-ip-${randomBytes(4).toString('hex')}`, points: 2, durationSeconds: 1 }
    const short = await startTestApp('rl-socket-window', {
      httpLimit: rule,
      config: { trustProxy: true },
      register: echoService({ count: 0 })
    })
    try {
      const socket = await connectFrom(short.url, '198.51.100.4')
      expect((await createOver(socket, 1)).error).toBeNull()
      expect((await createOver(socket, 2)).error).toBeNull()
      expect((await createOver(socket, 3)).error?.data?.code).toBe('RATE_LIMITED')
      await new Promise((resolve) => setTimeout(resolve, 1_100))
      expect((await createOver(socket, 4)).error).toBeNull()
    } finally {
      await short.close()
    }
  })
})

describe('per-IP socket limit when Redis is unreachable', () => {
  let t: TestApp
  const calls = { count: 0 }
  const deadRedis = unreachableRedis()
  beforeAll(async () => {
    t = await startTestApp('rl-socket-down', {
      redis: deadRedis,
      httpLimit: { name: 'http-ip', points: 1, durationSeconds: 60 },
      register: echoService(calls)
    })
  })
  afterAll(async () => {
    await t?.close()
    deadRedis.disconnect()
  })

  it('lets calls through (fails open, like the HTTP limit)', async () => {
    const socket = await connectFrom(t.url, '198.51.100.5')
    for (let index = 0; index < 3; index++) expect((await createOver(socket, { index })).error).toBeNull()
    expect(calls.count).toBe(3)
  })
})
