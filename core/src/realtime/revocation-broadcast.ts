// Carries "this user's access changed" to every API process over Redis pub/sub, so sockets held by other
// processes leave their channels at once too (each process only knows its own connections).
import type { Redis } from 'ioredis'
import type { Application } from '../app/declarations.ts'
import { revokeUserConnections } from './connection-channels.ts'

export interface RevocationBroadcast {
  /** Revokes locally now, then tells the other processes. Never throws: the DB change already happened. */
  publish(userId: string): Promise<void>
  close(): Promise<void>
}

export async function startRevocationBroadcast(app: Application, redis: Redis): Promise<RevocationBroadcast> {
  const channel = `${app.get('config').queuePrefix}:access-revocations`
  const logger = app.get('logger')
  const subscriber = redis.duplicate()
  subscriber.on('error', () => undefined)
  subscriber.on('message', (_channel: string, userId: string) => {
    const revoked = revokeUserConnections(app, userId)
    if (revoked > 0) logger?.info({ userId, revokedConnections: revoked }, 'revoked connections on broadcast')
  })
  try {
    await subscriber.subscribe(channel)
  } catch (error) {
    // Without Redis, revocation stays local; every socket call still re-checks the token version.
    logger?.warn({ err: { message: (error as Error).message } }, 'access revocation broadcast unavailable')
  }
  return {
    async publish(userId) {
      revokeUserConnections(app, userId)
      try {
        await redis.publish(channel, userId)
      } catch (error) {
        logger?.warn(
          { userId, err: { message: (error as Error).message } },
          'access revocation not broadcast'
        )
      }
    },
    async close() {
      try {
        if (subscriber.status === 'ready') await subscriber.quit()
        else subscriber.disconnect()
      } catch {
        subscriber.disconnect()
      }
    }
  }
}
