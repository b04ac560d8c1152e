// Carries realtime events between processes over Redis pub/sub. Each process holds only its own sockets,
// but events are raised wherever the work runs: a lead moved by an event handler in the worker process, or
// a document changed through API process A while a rep watches through API process B. The origin resolves
// the audience (tenant-scoped channel names, from the document's own tenant) and the payload clients may
// see; every other process hands both to its local connections. A process never re-publishes what it
// received, so nothing loops. A process alone on the topic (Redis counts the receivers of each publish: its
// own subscriber only) stops publishing until another process announces itself with a hello on subscribing,
// so a single API process, or a worker nobody listens to, does not serialize and send every event for
// nobody. (An event raised in the instant between a new process subscribing and its hello arriving is
// missed by it, like any event raised before it started.)
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Application } from '../app/declarations.ts'

export interface RealtimeRelay {
  /** Queues one event for the other processes; sent in one message per turn of the event loop. */
  forward(path: string, event: string, channels: readonly string[], payload: unknown): void
  close(): Promise<void>
}

const RECHECK_MS = 5_000

interface RelayedEvent {
  path: string
  event: string
  channels: string[]
  payload: unknown
}

interface RelayMessage {
  origin: string
  events: RelayedEvent[]
}

export async function startRealtimeRelay(app: Application, redis: Redis): Promise<RealtimeRelay> {
  const topic = `${app.get('config').queuePrefix}:realtime-events`
  const logger = app.get('logger')
  const origin = randomBytes(8).toString('hex')
  // Every message starts with its origin (flush below): this process's own messages, which Redis hands
  // back to it as a subscriber, are recognised by that prefix instead of being parsed to be dropped.
  const ownPrefix = `{"origin":${JSON.stringify(origin)},`
  let pending: string[] = []
  let flushing: NodeJS.Immediate | undefined
  let closed = false
  // Until Redis tells otherwise (the hello's receivers), events are published.
  let othersListening = true
  let subscribed = false
  // Publishes are numbered so that a reply counted before another process announced itself cannot switch
  // publishing off after its hello (replies and messages travel on different connections).
  let publishes = 0
  let heardOthersAt = 0
  const ownSubscriberUp = () => subscribed && subscriber.status === 'ready'

  /** Publishes one message; its receivers (Redis's count) say whether another process listens. */
  const publishCounted = (message: string): Promise<void> => {
    const sequence = ++publishes
    const ownCountedAtSend = ownSubscriberUp()
    return redis.publish(topic, message).then((receivers) => {
      // Only a count that surely includes this process's own subscriber can say "alone"; while it is down
      // or reconnecting the count cannot tell, so publishing goes on.
      const ownCounted = ownCountedAtSend && ownSubscriberUp()
      if (receivers > (ownCounted ? 1 : 0)) othersListening = true
      else if (ownCounted && sequence > heardOthersAt) othersListening = false
    })
  }

  // An empty message: processes that stopped publishing for want of listeners start again, and its
  // receivers tell this one whether anybody else listens.
  const hello = () => {
    if (closed) return
    publishCounted(`${ownPrefix}"events":[]}`).catch(() => undefined)
  }
  // While alone, asked again now and then: a hello missed during a Redis reconnect is not missed forever.
  const recheck = setInterval(() => {
    if (!othersListening) hello()
  }, RECHECK_MS)
  recheck.unref()

  const subscriber = redis.duplicate()
  subscriber.on('error', () => undefined)
  subscriber.on('message', (_topic: string, raw: string) => {
    if (raw.startsWith(ownPrefix)) return
    // Another process is on the topic (its hello or its events): publish again.
    othersListening = true
    heardOthersAt = publishes
    let message: RelayMessage
    try {
      message = JSON.parse(raw)
    } catch {
      return
    }
    if (message.origin === origin || !Array.isArray(message.events)) return
    for (const relayed of message.events) deliverLocally(app, relayed)
  })
  // Back after a dropped connection (ioredis subscribes again): others may have stopped publishing meanwhile.
  subscriber.on('ready', () => {
    if (subscribed) hello()
  })
  try {
    await subscriber.subscribe(topic)
    subscribed = true
    hello()
  } catch (error) {
    // Without Redis each process still reaches its own sockets; other processes' events are missed.
    logger?.warn({ err: { message: (error as Error).message } }, 'realtime relay unavailable')
  }

  const flush = () => {
    flushing = undefined
    const events = pending
    pending = []
    if (events.length === 0) return
    // The events are JSON already: the message is assembled around them, nothing here can throw.
    const message = `${ownPrefix}"events":[${events.join(',')}]}`
    publishCounted(message).catch((error: Error) => {
      logger?.warn(
        { events: events.length, err: { message: error.message } },
        'realtime events not relayed to other processes'
      )
    })
  }

  return {
    forward(path, event, channels, payload) {
      if (closed || channels.length === 0 || !othersListening) return
      let serialized: string
      try {
        // Serialized now, inside the publisher's own error handling: a payload JSON cannot carry (a
        // BigInt, a cycle) is dropped here with a warning instead of failing the whole batch later.
        serialized = JSON.stringify({ path, event, channels: [...channels], payload } satisfies RelayedEvent)
      } catch (error) {
        logger?.warn(
          { path, event, err: { message: (error as Error).message } },
          'realtime event not relayable'
        )
        return
      }
      pending.push(serialized)
      flushing ??= setImmediate(flush)
    },
    async close() {
      closed = true
      clearInterval(recheck)
      if (flushing) clearImmediate(flushing)
      flush()
      try {
        if (subscriber.status === 'ready') await subscriber.quit()
        else subscriber.disconnect()
      } catch {
        subscriber.disconnect()
      }
    }
  }
}

/** Hands a relayed event to this process's sockets in its channels, as the Socket.io transport would. */
function deliverLocally(app: Application, { path, event, channels, payload }: RelayedEvent): void {
  if (typeof path !== 'string' || typeof event !== 'string' || !Array.isArray(channels)) return
  const present = channels.filter((name) => typeof name === 'string' && app.channels.includes(name))
  if (present.length === 0) return
  const connections = new Set<unknown>()
  for (const name of present)
    for (const connection of (app as any).channel(name).connections) connections.add(connection)
  if (connections.size === 0) return
  // The shape the transport's dispatcher reads (a combined channel without per-connection data).
  const channel = { connections: [...connections], length: connections.size, dataFor: () => null }
  // The transport's dispatcher sends `context.dispatch ?? context.result` to each connection.
  const context = { path, app, event, result: payload, dispatch: payload }
  ;(app as any).emit('publish', event, channel, context, payload)
}
