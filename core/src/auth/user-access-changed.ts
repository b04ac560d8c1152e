// What follows a change to a user's access (password, role, memberships, removal): their live sockets leave
// every channel now, and `user.access.changed` is emitted for the rest of the platform.
import type { Application } from '../app/declarations.ts'
import type { DomainEvents } from '../events/domain-events.ts'
import { revokeUserConnections } from '../realtime/connection-channels.ts'
import { emitPlatformEvent } from '../tenancy/platform-events.ts'

export async function userAccessChanged(
  app: Application,
  userId: string,
  reason: DomainEvents['user.access.changed']['reason'],
  tokenVersion: number
): Promise<void> {
  const revoked = revokeUserConnections(app, userId)
  app.get('logger')?.info({ userId, reason, revokedConnections: revoked }, 'user access changed')
  await emitPlatformEvent(
    app,
    'user.access.changed',
    { userId, reason },
    `user.access.changed:${userId}:${tokenVersion}`
  )
}
