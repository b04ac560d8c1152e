// What a change to a user's access (password, role, memberships, removal) leads to: the `user.access.changed`
// event, written in the same transaction as the change (accessChangedEvent), and, once committed, cached
// copies dropped and live sockets taken out of every channel in every API process (userAccessChanged).
import type { Application } from '../app/declarations.ts'
import type { DomainEvents } from '../events/domain-events.ts'
import type { PlatformEvent } from '../tenancy/platform-events.ts'

export type AccessChangeReason = DomainEvents['user.access.changed']['reason']

/** The event recorded with the write that changed access (`tokenVersion`: the version after the change). */
export function accessChangedEvent(
  userId: string,
  reason: AccessChangeReason,
  tokenVersion: number
): PlatformEvent {
  return {
    name: 'user.access.changed',
    payload: { userId, reason },
    id: `user.access.changed:${userId}:${tokenVersion}`
  }
}

/** Runs after the change is committed. Never throws: the change already happened. */
export async function userAccessChanged(
  app: Application,
  userId: string,
  reason: AccessChangeReason
): Promise<void> {
  // Caches first: from here on no process accepts the user's old token version.
  await app.get('access').invalidations.publish('user', userId)
  await app.get('access').revocations.publish(userId)
  app.get('logger')?.info({ userId, reason }, 'user access changed')
}
