// Reads and validates the platform configuration from environment variables, reporting every problem
// at once (ConfigError.problems) so an operator fixes a broken deployment in one pass.

import { FeathersError } from '@feathersjs/errors'
import { trustedPeerProblem } from '../app/client-ip.ts'
import { ErrorCode } from '../errors/codes.ts'
import type { Config } from './config.ts'
import { loadDevSecrets } from './dev-secrets.ts'

export interface ConfigProblem {
  variable: string
  message: string
}

export class ConfigError extends FeathersError {
  readonly problems: ConfigProblem[]
  constructor(problems: ConfigProblem[]) {
    super(
      `Invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
      'ConfigError',
      500,
      'config-error',
      { code: ErrorCode.CONFIG_INVALID, problems }
    )
    this.problems = problems
  }
}

const ENVS = ['development', 'test', 'production'] as const
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
const EMAIL_PROVIDERS = ['outbox', 'smtp'] as const

/** Collects problems while reading variables; never echoes secret values back. Plugins' platform config
 * reads through it too (plugins/plugin-platform-config.ts), so their problems are reported the same way. */
export class EnvReader {
  readonly problems: ConfigProblem[] = []
  private readonly env: NodeJS.ProcessEnv
  constructor(env: NodeJS.ProcessEnv) {
    this.env = env
  }

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim()
    return value === '' ? undefined : value
  }

  problem(variable: string, message: string): void {
    this.problems.push({ variable, message })
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name)
    if (value === undefined) return fallback
    if ((allowed as readonly string[]).includes(value)) return value as T
    this.problem(name, `must be one of ${allowed.join(', ')} (got '${value}')`)
    return fallback
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name)
    if (value === undefined) return fallback
    const parsed = Number(value)
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      this.problem(name, `must be an integer from ${min} to ${max} (got '${value}')`)
      return fallback
    }
    return parsed
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase()
    if (value === undefined) return fallback
    if (['true', '1', 'yes'].includes(value)) return true
    if (['false', '0', 'no'].includes(value)) return false
    this.problem(name, `must be true or false (got '${value}')`)
    return fallback
  }

  url(name: string, fallback: string | undefined, protocols: readonly string[], secret = false): string {
    const value = this.raw(name) ?? fallback
    if (value === undefined) {
      this.problem(name, 'is required')
      return ''
    }
    try {
      const parsed = new URL(value)
      if (!protocols.includes(parsed.protocol)) {
        this.problem(name, `must use ${protocols.join(' or ')}${secret ? '' : ` (got '${parsed.protocol}')`}`)
      }
    } catch {
      this.problem(name, secret ? 'must be a valid URL' : `must be a valid URL (got '${value}')`)
    }
    return value
  }

  /** A MongoDB connection string: a replica set names several hosts (`h1:27017,h2:27017`), which URL cannot parse. */
  mongoUri(name: string): string {
    const value = this.raw(name)
    if (value === undefined) {
      this.problem(name, 'is required')
      return ''
    }
    const match = /^(mongodb(?:\+srv)?:)\/\/([^@/?]*@)?([^/?]+)(.*)$/.exec(value)
    const hosts = match?.[3].split(',') ?? []
    const hostPattern = /^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/
    const portOk = (host: string) => Number(/:(\d+)$/.exec(host)?.[1] ?? 1) <= 65_535
    let valid = match !== null && hosts.every((host) => hostPattern.test(host) && portOk(host))
    if (valid) {
      try {
        // The rest (credentials, database, options) checked as a URL with the first host alone.
        new URL(`${match![1]}//${match![2] ?? ''}${hosts[0]}${match![4]}`)
      } catch {
        valid = false
      }
    }
    if (!valid) {
      const scheme = /^[a-z+]+:/i.exec(value)?.[0]
      this.problem(
        name,
        scheme && !['mongodb:', 'mongodb+srv:'].includes(scheme)
          ? 'must use mongodb: or mongodb+srv:'
          : 'must be a valid URL'
      )
    }
    return value
  }
}

/** An encryption key as configured (64 hex characters or base64); the caller checks it is 32 bytes. */
export function decodeEncryptionKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64')
}

export const ENCRYPTION_KEY_RULE = 'must be 32 bytes, as 64 hex characters or base64'

function parseEncryptionKey(
  reader: EnvReader,
  value: string | undefined,
  name = 'PLATFORM_ENCRYPTION_KEY'
): Buffer {
  if (value === undefined) return Buffer.alloc(0)
  const key = decodeEncryptionKey(value)
  if (key.length !== 32) reader.problem(name, ENCRYPTION_KEY_RULE)
  return key
}

/** PLATFORM_RETIRED_ENCRYPTION_KEYS: comma-separated keys, each as PLATFORM_ENCRYPTION_KEY; none by default. */
function parseRetiredKeys(reader: EnvReader, current: Buffer): Buffer[] {
  const name = 'PLATFORM_RETIRED_ENCRYPTION_KEYS'
  const entries = (reader.raw(name) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  const keys = entries.map((entry, index) => parseEncryptionKey(reader, entry, `${name}[${index}]`))
  if (keys.some((key) => key.length === 32 && key.equals(current)))
    reader.problem(name, 'must not contain the current PLATFORM_ENCRYPTION_KEY')
  return keys
}

/**
 * TRUST_PROXY: `true`/`false`, the number of proxies in front (0-10), or a comma-separated list of trusted
 * proxy peers (IPs, CIDRs, `loopback`, `private`); see app/client-ip.ts.
 */
function readTrustProxy(reader: EnvReader): number | readonly string[] {
  const text = reader.raw('TRUST_PROXY')?.trim().toLowerCase() ?? ''
  if (text === '' || text === 'false' || text === '0') return 0
  if (text === 'true') return 1
  if (/^\d+$/.test(text)) {
    if (Number(text) <= 10) return Number(text)
  } else {
    const peers = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
    const problems = peers.map(trustedPeerProblem).filter(Boolean)
    if (peers.length > 0 && problems.length === 0) return Object.freeze(peers)
    if (problems.length > 0) {
      reader.problem('TRUST_PROXY', `${problems.join('; ')} (expected IPs, CIDRs, loopback or private)`)
      return 0
    }
  }
  reader.problem(
    'TRUST_PROXY',
    'must be true, false, the number of proxies in front (0-10) or a list of trusted proxy addresses'
  )
  return 0
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const reader = new EnvReader(env)
  const nodeEnv = reader.oneOf('NODE_ENV', ENVS, 'development')
  const port = reader.integer('PORT', 3030, 0, 65535)
  const host = reader.raw('HOST') ?? '127.0.0.1'
  const baseDomain = reader.raw('BASE_DOMAIN') ?? 'localhost'
  if (!/^[a-z0-9.-]+$/i.test(baseDomain))
    reader.problem('BASE_DOMAIN', `must be a domain name (got '${baseDomain}')`)
  const http = ['http:', 'https:']
  const publicApiUrl = reader.url('PUBLIC_API_URL', `http://${host}:${port}`, http)
  const storefrontUrl = reader.url('STOREFRONT_URL', 'http://localhost:5173', http)
  const dashboardUrl = reader.url('DASHBOARD_URL', 'http://localhost:5174', http)
  const mongoUri = reader.mongoUri('MONGODB_URI')
  const redisUrl = reader.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:'], true)
  const queuePrefix = reader.raw('QUEUE_PREFIX') ?? 'ms'
  if (!/^[a-z0-9_-]{1,32}$/i.test(queuePrefix))
    reader.problem('QUEUE_PREFIX', 'must be 1-32 letters, digits, _ or -')

  let jwtSecret = reader.raw('JWT_SECRET')
  let encryptionKeyText = reader.raw('PLATFORM_ENCRYPTION_KEY')
  const devSecretsFile = reader.raw('DEV_SECRETS_FILE')
  if ((!jwtSecret || !encryptionKeyText) && devSecretsFile && nodeEnv !== 'production') {
    const dev = loadDevSecrets(devSecretsFile)
    jwtSecret ??= dev.jwtSecret
    encryptionKeyText ??= dev.encryptionKey
  }
  const devHint = nodeEnv === 'production' ? '' : ' (or set DEV_SECRETS_FILE outside production)'
  if (!jwtSecret) reader.problem('JWT_SECRET', `is required${devHint}`)
  else if (jwtSecret.length < 32) reader.problem('JWT_SECRET', 'must be at least 32 characters')
  if (!encryptionKeyText) reader.problem('PLATFORM_ENCRYPTION_KEY', `is required${devHint}`)
  const encryptionKey = parseEncryptionKey(reader, encryptionKeyText)
  const retiredEncryptionKeys = parseRetiredKeys(reader, encryptionKey)
  // Only an explicit value: the default (on outside production) is configureAccess's, for every config.
  const derivationRootFromKey =
    reader.raw('PLATFORM_DERIVATION_ROOT_FROM_KEY') === undefined
      ? undefined
      : reader.boolean('PLATFORM_DERIVATION_ROOT_FROM_KEY', false)

  const jwtExpiresInText = reader.raw('JWT_EXPIRES_IN') ?? '1d'
  if (!/^\d+(s|m|h|d)?$/.test(jwtExpiresInText)) {
    reader.problem(
      'JWT_EXPIRES_IN',
      `must be a duration like 900, 15m, 12h or 7d (got '${jwtExpiresInText}')`
    )
  }
  // A bare number means seconds; jsonwebtoken would read the string '900' as 900 milliseconds.
  const jwtExpiresIn = /^\d+$/.test(jwtExpiresInText) ? `${jwtExpiresInText}s` : jwtExpiresInText
  const logLevel = reader.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info')
  const runWorkersInProcess = reader.boolean('RUN_WORKERS_IN_PROCESS', nodeEnv !== 'production')
  const bodyLimitBytes = reader.integer('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024)
  const corsOrigins = (reader.raw('CORS_ORIGINS')?.split(',') ?? [storefrontUrl, dashboardUrl])
    .map((origin) => origin.trim())
    .filter(Boolean)
  for (const origin of corsOrigins) {
    if (origin === '*')
      reader.problem('CORS_ORIGINS', "must list origins explicitly ('*' is not allowed with credentials)")
    else if (!/^https?:\/\/[^/]+$/.test(origin.replace(/\/$/, ''))) {
      reader.problem('CORS_ORIGINS', `'${origin}' is not an origin like https://app.example.com`)
    }
  }

  const emailProvider = reader.oneOf(
    'EMAIL_PROVIDER',
    EMAIL_PROVIDERS,
    nodeEnv === 'production' ? 'smtp' : 'outbox'
  )
  const smtpUrl =
    emailProvider === 'smtp' ? reader.url('SMTP_URL', undefined, ['smtp:', 'smtps:'], true) : undefined
  const emailFrom = reader.raw('EMAIL_FROM') ?? 'Masterstage <no-reply@masterstage.local>'
  if (!/@/.test(emailFrom)) reader.problem('EMAIL_FROM', `must contain an email address (got '${emailFrom}')`)

  const trustProxy = readTrustProxy(reader)
  if (reader.problems.length > 0) throw new ConfigError(reader.problems)
  return {
    env: nodeEnv,
    port,
    host,
    baseDomain,
    publicApiUrl,
    storefrontUrl,
    dashboardUrl,
    mongoUri,
    redisUrl,
    queuePrefix,
    jwtSecret: jwtSecret!,
    jwtExpiresIn,
    encryptionKey,
    retiredEncryptionKeys,
    derivationRootFromKey,
    logLevel,
    runWorkersInProcess,
    bodyLimitBytes,
    corsOrigins: corsOrigins.map((origin) => origin.replace(/\/$/, '')),
    email: {
      provider: emailProvider,
      from: emailFrom,
      smtpUrl,
      outboxDir: reader.raw('EMAIL_OUTBOX_DIR') ?? '.data/outbox'
    },
    trustProxy
  }
}
