// Socket.io connections get their client IP by the HTTP rule: X-Forwarded-For counts only when TRUST_PROXY
// says a proxy is in front; otherwise a client could pick a fresh "IP" per connection and dodge the per-IP
// login limit. Checked through that limit over real sockets.
import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'

const LOGIN_IP_LIMIT = 2
const opened: Socket[] = []
let trusting: TestApp
let direct: TestApp

const limits = { loginIp: { name: 'login-ip', points: LOGIN_IP_LIMIT, durationSeconds: 60 } }

beforeAll(async () => {
  trusting = await startTestApp('app-socket-ip-trusting', { limits, config: { trustProxy: true } })
  direct = await startTestApp('app-socket-ip-direct', { limits, config: { trustProxy: false } })
})
afterAll(async () => {
  for (const socket of opened) socket.close()
  await trusting?.close()
  await direct?.close()
})

let attempt = 0

/** One socket login attempt (an unknown email, so only the IP limit applies) from `forwardedFor`. */
async function socketLogin(app: TestApp, forwardedFor: string): Promise<number> {
  const socket = io(app.url, {
    transports: ['websocket'],
    extraHeaders: { 'x-forwarded-for': forwardedFor },
    reconnection: false,
    forceNew: true
  })
  opened.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  attempt++
  const credentials = {
    strategy: 'local',
    email: `nobody-${attempt}@nowhere.test`,
    password: 'wrong-password-1'
  }
  const code = await new Promise<number>((resolve) =>
    socket.emit('create', 'authentication', credentials, (error: any) => resolve(error?.code ?? 201))
  )
  socket.close()
  return code
}

describe('socket client IP', () => {
  it('behind a trusted proxy, limits each forwarded client on its own', async () => {
    const codes = []
    for (let i = 1; i <= LOGIN_IP_LIMIT + 2; i++) codes.push(await socketLogin(trusting, `203.0.113.${i}`))
    expect(codes).toEqual(Array(LOGIN_IP_LIMIT + 2).fill(401))
    // The same forwarded client is limited.
    const same = []
    for (let i = 0; i <= LOGIN_IP_LIMIT; i++) same.push(await socketLogin(trusting, '198.51.100.7'))
    expect(same.slice(0, LOGIN_IP_LIMIT)).toEqual(Array(LOGIN_IP_LIMIT).fill(401))
    expect(same[LOGIN_IP_LIMIT]).toBe(429)
  })

  it('without TRUST_PROXY, ignores X-Forwarded-For: rotating it does not dodge the limit', async () => {
    const codes = []
    for (let i = 1; i <= LOGIN_IP_LIMIT + 1; i++) codes.push(await socketLogin(direct, `203.0.113.${i}`))
    expect(codes.slice(0, LOGIN_IP_LIMIT)).toEqual(Array(LOGIN_IP_LIMIT).fill(401))
    expect(codes[LOGIN_IP_LIMIT]).toBe(429)
  })
})
