// Platform configuration: the typed shape every part of core reads. Loading and validation live in
// config/load-config.ts (all problems reported at once, non-zero exit on failure).
export interface Config {
  env: 'development' | 'test' | 'production'
  /** API listen port (PORT, default 3030) and host (HOST, default 127.0.0.1). */
  port: number
  host: string
  /** Tenants are served at `<slug>.<baseDomain>` (BASE_DOMAIN, default 'localhost'). */
  baseDomain: string
  /** Public URLs used in links (emails, redirects). */
  publicApiUrl: string
  storefrontUrl: string
  dashboardUrl: string
  /** MONGODB_URI: required by the API; `npm start` and the tests provide it through the database harness. */
  mongoUri: string
  /** REDIS_URL, default redis://127.0.0.1:6379. */
  redisUrl: string
  /** Prefix for every Bull queue and Redis key (QUEUE_PREFIX, default 'ms'); tests isolate by it. */
  queuePrefix: string
  /** JWT_SECRET (≥ 32 chars). */
  jwtSecret: string
  jwtExpiresIn: string
  /** PLATFORM_ENCRYPTION_KEY: 32 bytes, base64 or hex; encrypts tenant secrets at rest. */
  encryptionKey: Buffer
  /**
   * PLATFORM_RETIRED_ENCRYPTION_KEYS (comma-separated, each like PLATFORM_ENCRYPTION_KEY): keys of before a
   * rotation, which still decrypt what they encrypted (values are rewritten under the current key when read).
   */
  retiredEncryptionKeys?: readonly Buffer[]
  /**
   * PLATFORM_DERIVATION_ROOT_FROM_KEY: a platform whose tenants predate the stored key-derivation root starts
   * the root as its platform key (true by default outside production; in production an operator says so once,
   * since a root missing from a restored backup must not be rebuilt silently).
   */
  derivationRootFromKey?: boolean
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Run job workers inside the API process (demo) or only in the `worker` process (scale). */
  runWorkersInProcess: boolean
  /** Maximum JSON body size in bytes (BODY_LIMIT_BYTES, default 1 MiB). */
  bodyLimitBytes: number
  corsOrigins: readonly string[]
  email: {
    provider: 'outbox' | 'smtp'
    from: string
    /** SMTP_URL for provider 'smtp' (smtp(s)://user:pass@host:port). */
    smtpUrl?: string
    /** Directory of the local outbox for provider 'outbox'. */
    outboxDir: string
  }
  /**
   * Proxies in front of the API whose X-Forwarded-For entries are trusted: a hop count (true = 1) or the
   * trusted peers' addresses (IPs, CIDRs, `loopback`, `private`); see app/client-ip.ts.
   */
  trustProxy: boolean | number | readonly string[]
}
