// The realtime relay on a real Redis: a process alone on the topic publishes nothing, and starts again as
// soon as another process subscribes (its hello), whose sockets then get the events.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { type RealtimeRelay, startRealtimeRelay } from '../../src/realtime/realtime-relay.ts'

const cleanups: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const CHANNEL = 'tenants/t1/staff'

/** The parts of an app the relay uses, with one connection in CHANNEL whose publishes are recorded. */
function fakeApp(queuePrefix: string) {
  const delivered: unknown[] = []
  const settings: Record<string, unknown> = { config: { queuePrefix }, logger: undefined }
  const app = {
    get: (name: string) => settings[name],
    channels: [CHANNEL],
    channel: () => ({ connections: [{ id: 'socket-1' }] }),
    emit: (_name: string, _event: string, _channel: unknown, _context: unknown, payload: unknown) =>
      delivered.push(payload)
  }
  return { app: app as any, delivered }
}

async function relayOn(
  queuePrefix: string
): Promise<{ relay: RealtimeRelay; published: string[]; delivered: unknown[] }> {
  const redis = new Redis('redis://127.0.0.1:6379')
  const published: string[] = []
  const publish = redis.publish.bind(redis)
  redis.publish = ((topic: string, message: string) => {
    published.push(message)
    return publish(topic, message)
  }) as any
  const { app, delivered } = fakeApp(queuePrefix)
  const relay = await startRealtimeRelay(app, redis)
  cleanups.push(async () => {
    await relay.close()
    redis.disconnect()
  })
  return { relay, published, delivered }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const eventsIn = (messages: string[]) => messages.filter((message) => !message.endsWith('"events":[]}'))

describe('realtime relay', () => {
  it('publishes nothing while alone on the topic, and reaches a process that subscribes later', async () => {
    const prefix = `relay-test-${randomBytes(4).toString('hex')}`
    const first = await relayOn(prefix)
    await pause(100) // the hello's answer: nobody else listens
    first.relay.forward('notes', 'created', [CHANNEL], { n: 1 })
    await pause(100)
    expect(eventsIn(first.published)).toEqual([])

    // A second process subscribes: its hello tells the first one to publish again.
    const redis = new Redis('redis://127.0.0.1:6379')
    const second = fakeApp(prefix)
    const relay = await startRealtimeRelay(second.app, redis)
    cleanups.push(async () => {
      await relay.close()
      redis.disconnect()
    })
    await pause(100)
    first.relay.forward('notes', 'created', [CHANNEL], { n: 2 })
    await pause(200)
    expect(eventsIn(first.published)).toHaveLength(1)
    expect(second.delivered).toEqual([{ n: 2 }])
    // And the second knew from its hello's receivers that the first listens.
    relay.forward('notes', 'created', [CHANNEL], { n: 3 })
    await pause(200)
    expect(first.delivered).toEqual([{ n: 3 }])
  })

  it('keeps publishing through its own subscriber reconnecting, which must not read as being alone', async () => {
    const prefix = `relay-test-${randomBytes(4).toString('hex')}`
    const listener = await relayOn(prefix)
    const redis = new Redis('redis://127.0.0.1:6379')
    // The relay's subscriber is a duplicate of its connection: kept here to drop it like a network blip.
    const duplicates: Redis[] = []
    const duplicate = redis.duplicate.bind(redis)
    redis.duplicate = ((...args: Parameters<Redis['duplicate']>) => {
      const copy = duplicate(...args)
      duplicates.push(copy)
      return copy
    }) as Redis['duplicate']
    const sender = await startRealtimeRelay(fakeApp(prefix).app, redis)
    cleanups.push(async () => {
      await sender.close()
      redis.disconnect()
    })
    await pause(100)
    sender.forward('notes', 'created', [CHANNEL], { n: 1 })
    await pause(100)
    expect(listener.delivered).toEqual([{ n: 1 }])

    // The subscriber drops and reconnects; an event forwarded meanwhile is counted by Redis without it.
    const subscriber = duplicates[0]
    const back = new Promise((resolve) => subscriber.once('ready', resolve))
    subscriber.disconnect(true)
    sender.forward('notes', 'created', [CHANNEL], { n: 2 })
    await back
    await pause(100)
    for (const n of [3, 4]) sender.forward('notes', 'created', [CHANNEL], { n })
    await pause(200)
    expect(listener.delivered).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }])
  })
})
