// Socket.io handshake middleware: resolves the connection's tenant (socket `auth.tenant`, `?tenant=`,
// X-Tenant header, then Host) into `socket.feathers.tenant`. Unknown tenants refuse the connection.
// Handshakes are counted per client IP first (limits.socketHandshakeIp): each names a tenant chosen by the
// client, so a flood of made-up names must not become a flood of directory lookups. Like the HTTP limit it
// fails open when Redis cannot count.
import { clientIp } from '../app/client-ip.ts'
import type { Application } from '../app/declarations.ts'
import { rateLimited } from '../errors/codes.ts'
import { countHit, warnAndFailOpen } from '../rate-limit/count-hit.ts'
import { resolveTenant, TENANT_HEADER } from '../tenancy/resolve-tenant.ts'
import { joinUserChannels } from './connection-channels.ts'

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value.trim() !== '') return value
  }
  return undefined
}

async function handshakeAllowed(app: Application, ip: string): Promise<void> {
  const { rateLimiter, limits } = app.get('access')
  const result = await countHit(
    rateLimiter,
    limits.socketHandshakeIp,
    ip || 'unknown-ip',
    warnAndFailOpen(() => app.get('logger'), 'socket handshake limit unavailable, failing open')
  )
  if (result && !result.allowed) throw rateLimited(result.retryAfterSeconds)
}

export function socketTenantMiddleware(app: Application) {
  return (socket: any, next: (error?: Error) => void) => {
    const { handshake } = socket
    const explicit = firstString(
      handshake.auth?.tenant,
      handshake.query?.tenant,
      handshake.headers?.[TENANT_HEADER]
    )
    const ip = clientIp(
      app.get('config').trustProxy,
      handshake.headers?.['x-forwarded-for'],
      handshake.address
    )
    handshakeAllowed(app, ip)
      .then(() => resolveTenant(app, { host: handshake.headers?.host, explicit }))
      .then(async (tenant) => {
        // Mutated, not replaced: Feathers keys its connection map on this very object.
        Object.assign(socket.feathers, { tenant, ip })
        // A token in the handshake headers logged the connection in before the tenant was known.
        if (socket.feathers.user) await joinUserChannels(app, socket.feathers)
        next()
      })
      .catch((error: Error & { data?: unknown }) => {
        const refusal = new Error(error.message) as Error & { data?: unknown }
        refusal.data = error.data
        next(refusal)
      })
  }
}
