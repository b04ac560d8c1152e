// Emits core's platform-level domain events (tenant and user lifecycle) through the app's EventBus.
import type { Application } from '../app/declarations.ts'
import type { DomainEvents, EventName } from '../events/domain-events.ts'

/**
 * The database write has already happened when this runs; a failed emit is logged with the event so it
 * can be replayed, and never turns a committed change into an error response.
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
