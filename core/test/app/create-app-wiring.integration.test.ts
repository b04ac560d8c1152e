// createApp's contract with the other platform parts, with their wiring stubbed: call order, plugin
// start on listen and stop on shutdown, shutdown tasks, and internal errors masked for clients.

import type { Connection } from 'mongoose'
import { io as connectSocket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type PlatformWiring } from '../../src/app/create-app.ts'
import type { Application } from '../../src/app/declarations.ts'
import { useBeforeBodyParser } from '../../src/app/raw-body-routes.ts'
import { startServer } from '../../src/app/server.ts'
import { onShutdown } from '../../src/app/shutdown.ts'
import { connectDatabase } from '../../src/data/connect.ts'
import { TenantScopeViolation } from '../../src/data/tenant-scope-access.ts'
import { testConfig } from './test-app.ts'

let connection: Connection
const calls: string[] = []

function stubWiring(): PlatformWiring {
  const passThrough = (name: string) => (_app: Application) => {
    calls.push(name)
    return async (_ctx: unknown, next: () => Promise<void>) => next()
  }
  return {
    rateLimitMiddleware: passThrough('rateLimitMiddleware') as any,
    resolveTenantMiddleware: passThrough('resolveTenantMiddleware') as any,
    configureEvents: async () => void calls.push('configureEvents'),
    configureAccess: async () => void calls.push('configureAccess'),
    configureWebApi: () => void calls.push('configureWebApi'),
    loadPlugins: async (_app, manifests) =>
      void calls.push(`loadPlugins:${manifests.map((m) => m.name).join(',')}`),
    startPlugins: async () => void calls.push('startPlugins'),
    stopPlugins: async () => void calls.push('stopPlugins')
  }
}

beforeAll(async () => {
  connection = await connectDatabase(testConfig('app_wiring').mongoUri)
})

afterAll(async () => {
  await connection?.close()
})

describe('createApp wiring', () => {
  it('wires the parts in order, starts plugins on listen and stops everything on close', async () => {
    const config = testConfig('app_wiring')
    const plugin = { name: 'demo', version: '1.0.0', description: 'demo' }
    const app = await createApp({ config, connection, plugins: [plugin], wiring: stubWiring() })
    expect(calls).toEqual([
      'rateLimitMiddleware',
      'resolveTenantMiddleware',
      'configureEvents',
      'configureAccess',
      'configureWebApi',
      'loadPlugins:demo'
    ])
    onShutdown(app, 'first', () => void calls.push('task:first'))
    onShutdown(app, 'second', () => void calls.push('task:second'))
    ;(app as any).use('boom', {
      async find() {
        throw new Error('secret internal detail')
      },
      async get() {
        throw new TenantScopeViolation('cross-tenant detail')
      }
    } as any)
    useBeforeBodyParser(app, async (ctx: any, next: () => Promise<void>) => {
      if (ctx.path !== '/raw') return next()
      const chunks: Buffer[] = []
      for await (const chunk of ctx.req) chunks.push(chunk)
      ctx.body = { raw: Buffer.concat(chunks).toString('utf8') }
    })
    // A route registered with a path prefix is not even called for other paths.
    const prefixedSeen: string[] = []
    useBeforeBodyParser(
      app,
      async (ctx: any, next: () => Promise<void>) => {
        prefixedSeen.push(ctx.path)
        if (ctx.path !== '/hooks-only/ping') return next()
        ctx.body = { pong: true }
      },
      { pathPrefix: '/hooks-only/' }
    )
    const server = await startServer(app, config)
    expect(calls.at(-1)).toBe('startPlugins')
    const pong = await fetch(`${server.url}/hooks-only/ping`, { method: 'POST' })
    expect(await pong.json()).toEqual({ pong: true })
    expect((await fetch(`${server.url}/hooks-only/other`)).status).toBe(404)
    expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404)
    expect(prefixedSeen).toEqual(['/hooks-only/ping', '/hooks-only/other'])

    // Raw-body routes see the exact bytes (signatures) and still get a request id.
    const exact = '{ "b":1,  "a":2 }'
    const raw = await fetch(`${server.url}/raw`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: exact
    })
    expect(await raw.json()).toEqual({ raw: exact })
    expect(raw.headers.get('x-request-id')).toBeTruthy()

    const unexpected = await fetch(`${server.url}/boom`)
    expect(unexpected.status).toBe(500)
    const body = await unexpected.json()
    expect(body).toMatchObject({ message: 'Internal error', data: { code: 'INTERNAL' } })
    expect(JSON.stringify(body)).not.toContain('secret internal detail')
    const violation = await (await fetch(`${server.url}/boom/1`)).json()
    expect(violation).toMatchObject({ message: 'Internal error', data: { code: 'TENANT_SCOPE_VIOLATION' } })

    // Socket clients get the same masked error as REST clients.
    const socket = connectSocket(server.url, { transports: ['websocket'], reconnection: false })
    const socketError: any = await new Promise((resolve) => {
      socket.emit('find', 'boom', {}, (error: unknown) => resolve(error))
    })
    socket.close()
    expect(socketError).toMatchObject({ message: 'Internal error', data: { code: 'INTERNAL' } })
    expect(JSON.stringify(socketError)).not.toContain('secret internal detail')

    calls.length = 0
    await server.close()
    expect(calls).toEqual(['stopPlugins', 'task:second', 'task:first'])
    // The connection was passed in: its owner closes it, stopApp must not.
    expect(connection.readyState).toBe(1)
  })

  it('reports MongoDB down on /ready when the connection is gone', async () => {
    const config = testConfig('app_mongo_down')
    const own = await connectDatabase(config.mongoUri)
    const app = await createApp({ config, connection: own, wiring: stubWiring() })
    const server = await startServer(app, config)
    try {
      await own.close()
      const response = await fetch(`${server.url}/ready`)
      expect(response.status).toBe(503)
      expect(await response.json()).toEqual({
        status: 'unavailable',
        checks: { mongodb: 'down', redis: 'up' }
      })
    } finally {
      await server.close()
    }
  })
})
