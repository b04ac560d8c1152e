// What follows a change to a user's access (password, role, memberships, removal): their live sockets leave
// every channel now (in every API process), and `user.access.changed` is emitted for the rest of the platform.
import type { Application } from '../app/declarations.ts'
import type { DomainEvents } from '../events/domain-events.ts'
import { emitPlatformEvent } from '../tenancy/platform-events.ts'

export async function userAccessChanged(
  app: Application,
  userId: string,
  reason: DomainEvents['user.access.changed']['reason'],
  tokenVersion: number
): Promise<void> {
  await app.get('access').revocations.publish(userId)
  app.get('logger')?.info({ userId, reason }, 'user access changed')
  await emitPlatformEvent(
    app,
    'user.access.changed',
    { userId, reason },
    `user.access.changed:${userId}:${tokenVersion}`
  )
}
