// Socket.io handshakes are limited per client IP before any tenant lookup: past the limit a connection is
// refused with 429, while another IP still connects. Real sockets, real Redis counters.
import { randomBytes } from 'node:crypto'
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'

const HANDSHAKES = 3
let t: TestApp
const rule = {
  name: `socket-handshake-${randomBytes(4).toString('hex')}`,
  points: HANDSHAKES,
  durationSeconds: 60
}

beforeAll(async () => {
  t = await startTestApp('realtime-handshake-limit', {
    limits: { socketHandshakeIp: rule },
    config: { trustProxy: true }
  })
})
afterAll(() => t?.close())

/** Opens and closes one socket from `ip`; resolves with null when connected, else the refusal. */
function handshake(ip: string, tenant = 'no-such-tenant-anywhere'): Promise<any> {
  const socket = io(t.url, {
    transports: ['websocket'],
    extraHeaders: { 'x-forwarded-for': ip },
    query: { tenant },
    reconnection: false,
    forceNew: true
  })
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close()
      resolve(null)
    })
    socket.once('connect_error', (error: any) => {
      socket.close()
      resolve(error)
    })
  })
}

describe('socket handshake limit', () => {
  it('refuses handshakes past the per-IP limit with 429, before resolving the tenant', async () => {
    // Unknown tenants are refused by the tenant lookup (not 429) while under the limit.
    for (let index = 0; index < HANDSHAKES; index++) {
      const refusal = await handshake('203.0.113.7')
      expect(refusal?.data?.code ?? refusal?.data?.status).not.toBe(429)
      expect(refusal?.message ?? '').not.toMatch(/too many/i)
    }
    const limited = await handshake('203.0.113.7')
    expect(limited).not.toBeNull()
    expect(JSON.stringify({ message: limited.message, data: limited.data })).toMatch(/429|rate|too many/i)
    // Another client is unaffected.
    const other = await handshake('203.0.113.8')
    expect(JSON.stringify({ message: other?.message, data: other?.data })).not.toMatch(/429|too many/i)
  }, 30_000)
})
