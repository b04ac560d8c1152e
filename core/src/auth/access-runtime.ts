// Runtime pieces of tenancy and auth shared by their services and hooks, stored once as `app.get('access')`.
import type { Redis } from 'ioredis'
import type { Model } from 'mongoose'
import type { InvalidationBroadcast } from '../app/invalidation-broadcast.ts'
import type { BatchedRateLimiter } from '../rate-limit/batched-rate-limiter.ts'
import type { RateLimiter, RateLimitRule } from '../rate-limit/redis-rate-limiter.ts'
import type { RealtimeRelay } from '../realtime/realtime-relay.ts'
import type { RevocationBroadcast } from '../realtime/revocation-broadcast.ts'
import type { SecretBox } from '../tenancy/secret-box.ts'
import type { TenancyModels } from '../tenancy/tenancy-models.ts'
import type { TenantDirectory } from '../tenancy/tenant-directory.ts'
import type { UserCache } from './user-cache.ts'
import type { UserDocument } from './user-model.ts'

export interface AccessRuntime {
  tenancy: TenancyModels
  tenants: TenantDirectory
  secretBox: SecretBox
  /** Where plugins' derived keys come from: stable across encryption-key rotations (tenancy/derivation-root.ts). */
  derivationRoot: Buffer
  User: Model<UserDocument>
  rateLimiter: RateLimiter
  /** The global per-IP limit's counter (HTTP requests and Socket.io calls): batched to Redis, no round trip per request. */
  httpLimiter: BatchedRateLimiter
  /** Limits on login and password-reset attempts (defaults in auth/login-rate-limits.ts). */
  limits: {
    loginAccount: RateLimitRule
    loginIp: RateLimitRule
    resetAccount: RateLimitRule
    resetIp: RateLimitRule
    socketHandshakeIp: RateLimitRule
  }
  /** Global per-IP limit, one budget for HTTP requests and Socket.io calls of an address. */
  httpLimit: RateLimitRule
  /** Takes a user's sockets out of their channels in every API process. */
  revocations: RevocationBroadcast
  /** Realtime events to and from the other processes' sockets. */
  realtime: RealtimeRelay
  /** Drops cached users and tenants in every API process after a change. */
  invalidations: InvalidationBroadcast
  /** Users behind valid tokens, so an authenticated request needs no database read. */
  users: UserCache
  /** Command connection of the limiter (closed on app teardown). */
  redis: Redis
}

declare module '../app/declarations.ts' {
  interface AppSettings {
    /** Set by configureAccess (core/src/auth/configure-access.ts). */
    access: AccessRuntime
  }
}
