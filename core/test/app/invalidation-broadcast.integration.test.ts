// The invalidation broadcast against real Redis reached through a TCP proxy that is closed when the process
// starts: it must subscribe once Redis is reachable, tell listeners to drop everything, and report itself
// not live (so caches are bypassed) until then.
import net from 'node:net'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { ALL_KEYS, startInvalidationBroadcast } from '../../src/app/invalidation-broadcast.ts'

const channel = `test-inval-${process.pid}-${Date.now()}`
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

// A proxy to the real Redis that keeps its port for the whole test (a released port can be taken by a
// parallel test file): while "closed" it drops every connection at once, so Redis looks unreachable.
async function proxyTo6379() {
  const sockets = new Set<net.Socket>()
  let accepting = false
  const server = net.createServer((client) => {
    if (!accepting) {
      client.destroy()
      return
    }
    const upstream = net.connect(6379, '127.0.0.1')
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as net.AddressInfo).port,
    open: async () => {
      accepting = true
    },
    close: async () => {
      accepting = false
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

async function until(condition: () => boolean, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('invalidation broadcast', () => {
  it('subscribes once Redis becomes reachable after a boot without it, and drops everything then', async () => {
    const proxy = await proxyTo6379()
    // Same connection options as configure-access's openRedis().
    const redis = new Redis(`redis://127.0.0.1:${proxy.port}`, {
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 300)
    })
    redis.on('error', () => undefined)
    const other = new Redis('redis://127.0.0.1:6379')
    cleanups.push(
      () => other.quit(),
      () => redis.disconnect(),
      () => proxy.stop(),
      () => proxy.close()
    )
    const warnings: string[] = []
    const broadcast = await startInvalidationBroadcast(redis, channel, {
      warn: (_object, message) => warnings.push(message)
    })
    cleanups.push(() => broadcast.close())
    expect(warnings.length).toBeGreaterThan(0)
    expect(broadcast.isLive()).toBe(false)
    const received: string[] = []
    broadcast.on('user', (key) => received.push(key))

    await proxy.open()
    await until(() => broadcast.isLive())
    expect(received).toContain(ALL_KEYS)
    received.length = 0
    await other.publish(channel, 'user:u1')
    await until(() => received.includes('u1'))

    // Losing the connection makes it not live again; coming back drops everything once more.
    await proxy.close()
    await until(() => !broadcast.isLive())
    await proxy.open()
    await until(() => broadcast.isLive())
    expect(received).toContain(ALL_KEYS)
    await other.publish(channel, 'user:u2')
    await until(() => received.includes('u2'))
  }, 30_000)
})
