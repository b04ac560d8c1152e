// Test helper: the real durable event bus, whose next emit can be made to fail right after the event
// reached the outbox inside the caller's transaction (the worst moment), to prove a write and its
// platform event are stored together or not at all.
import type { Application } from '../../src/app/declarations.ts'
import { configureEvents } from '../../src/events/configure-events.ts'

export interface OutboxFailureInjection {
  /** Pass as startTestApp's `configureEvents`. */
  configureEvents: (app: Application) => Promise<void>
  /** The next emit throws after its outbox write. */
  failNextEmit(): void
}

export function outboxFailureInjection(): OutboxFailureInjection {
  let failNext = false
  return {
    failNextEmit: () => {
      failNext = true
    },
    configureEvents: async (app) => {
      await configureEvents(app, { relay: { pollMs: 60_000 } })
      const bus = app.get('events')
      const emit = bus.emit.bind(bus)
      bus.emit = (async (...args: Parameters<typeof emit>) => {
        const event = await emit(...args)
        if (failNext) {
          failNext = false
          throw new Error('injected failure after the outbox write')
        }
        return event
      }) as typeof emit
    }
  }
}
