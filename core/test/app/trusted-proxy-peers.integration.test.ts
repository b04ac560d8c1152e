// TRUST_PROXY as a list of trusted proxy peers: X-Forwarded-For counts only when the request comes from one
// of them (the web apps, the load balancer), so a client reaching the API directly cannot choose its "IP".
// Checked through the per-IP login limit over real HTTP and Socket.io.
import { io } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../auth/support/access-test-app.ts'

const LIMIT = 2
const limits = { loginIp: { name: 'login-ip', points: LIMIT, durationSeconds: 60 } }
let viaTrustedPeer: TestApp
let fromUntrustedPeer: TestApp
let attempt = 0

beforeAll(async () => {
  // The tests connect from 127.0.0.1: a trusted peer for the first app, an unknown one for the second.
  viaTrustedPeer = await startTestApp('app-proxy-peers-trusted', {
    limits,
    config: { trustProxy: ['loopback'] }
  })
  fromUntrustedPeer = await startTestApp('app-proxy-peers-untrusted', {
    limits,
    config: { trustProxy: ['10.20.0.0/16'] }
  })
})
afterAll(async () => {
  await viaTrustedPeer?.close()
  await fromUntrustedPeer?.close()
})

const credentials = () => ({
  strategy: 'local',
  email: `nobody-${++attempt}@nowhere.test`,
  password: 'wrong-pass-1'
})

async function httpLogin(app: TestApp, forwardedFor: string): Promise<number> {
  const response = await fetch(`${app.url}/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify(credentials())
  })
  await response.arrayBuffer()
  return response.status
}

async function socketLogin(app: TestApp, forwardedFor: string): Promise<number> {
  const socket = io(app.url, {
    transports: ['websocket'],
    extraHeaders: { 'x-forwarded-for': forwardedFor },
    reconnection: false,
    forceNew: true
  })
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', reject)
    })
    return await new Promise<number>((resolve) =>
      socket.emit('create', 'authentication', credentials(), (error: any) => resolve(error?.code ?? 201))
    )
  } finally {
    socket.close()
  }
}

describe('trusted proxy peers', () => {
  it('from a trusted peer, each forwarded client has its own budget (right-most untrusted entry)', async () => {
    const codes = []
    // The client prepends a forged entry; the trusted peer appended the real address after it.
    for (let i = 1; i <= LIMIT + 2; i++)
      codes.push(await httpLogin(viaTrustedPeer, `6.6.6.6, 203.0.113.${i}`))
    expect(codes).toEqual(Array(LIMIT + 2).fill(401))
    const same = []
    for (let i = 0; i <= LIMIT; i++) same.push(await httpLogin(viaTrustedPeer, `${i}.1.1.1, 198.51.100.7`))
    expect(same).toEqual([...Array(LIMIT).fill(401), 429])
  })

  it('from a peer not in the list, X-Forwarded-For is ignored on HTTP and sockets alike', async () => {
    const codes = []
    for (let i = 1; i <= LIMIT + 1; i++) codes.push(await httpLogin(fromUntrustedPeer, `203.0.113.${i}`))
    expect(codes).toEqual([...Array(LIMIT).fill(401), 429])
    // The socket handshake's address is the same untrusted peer: still limited, whatever it forwards.
    expect(await socketLogin(fromUntrustedPeer, '198.51.100.99')).toBe(429)
  })
})
