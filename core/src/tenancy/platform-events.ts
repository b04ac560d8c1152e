// Emits core's platform-level domain events (tenant and user lifecycle) through the app's EventBus; tenant and
// user writes and their event go into one MongoDB transaction (outbox pattern): both are stored, or neither.
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
