// Emits core's platform-level domain events (tenant and user lifecycle) through the app's EventBus; tenant
// writes and their event go into one MongoDB transaction (outbox pattern): both are stored, or neither.
import type { ClientSession, Connection } from 'mongoose'
import type { Application } from '../app/declarations.ts'
import type { DomainEvents, EventName } from '../events/domain-events.ts'

/** One platform event, typed by name. */
export type PlatformEvent = {
  [N in EventName]: { name: N; payload: DomainEvents[N]; id: string }
}[EventName]

/**
 * Runs `write` and records the event it leads to (if any) in the same transaction. Any failure, in the write
 * or in recording the event, aborts both and reaches the caller: a change is never committed without its
 * event. Delivery happens after commit (the bus's outbox relay), so Redis being down loses nothing.
 */
export async function writeWithPlatformEvent<T>(
  app: Application,
  connection: Connection,
  write: (session: ClientSession) => Promise<T>,
  eventOf: (result: T) => PlatformEvent | undefined
): Promise<T> {
  const events = app.get('events')
  if (!events) throw new Error('No event bus configured: platform writes need one for their events')
  let result: T
  await connection.transaction(async (session) => {
    result = await write(session)
    const event = eventOf(result)
    if (event)
      await events.emit(event.name, event.payload as never, { tenantId: null, id: event.id, session })
  })
  return result!
}

/**
 * For writes not (yet) in a transaction (user lifecycle): the write has already happened when this runs; a
 * failed emit is logged with the event so it can be replayed, and never turns a committed change into an
 * error response.
 */
export async function emitPlatformEvent<N extends EventName>(
  app: Application,
  name: N,
  payload: DomainEvents[N],
  id: string
): Promise<void> {
  const events = app.get('events')
  const logger = app.get('logger')
  if (!events) {
    logger?.warn({ event: name, eventId: id }, 'no event bus configured, platform event dropped')
    return
  }
  try {
    await events.emit(name, payload, { tenantId: null, id })
  } catch (error) {
    logger?.error(
      { event: name, eventId: id, err: { message: (error as Error).message } },
      'platform event emit failed'
    )
  }
}
