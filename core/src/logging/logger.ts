// Structured logging (pino) with secrets redacted at any depth: credentials, tokens, API keys,
// cookies, tenant plugin secrets and connection strings never reach a log line.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import { batchedDestination, type LineWriter } from './batched-destination.ts'
import { allowFastInfoLines } from './fast-info-line.ts'

export type { Logger }

/** Key names whose values are always replaced, wherever they appear in a logged object. */
const SECRET_KEY =
  /^(authorization|cookie|set-cookie|x-api-key|password|passwd|pass|passwordhash|secret|secrets|token|accesstoken|refreshtoken|idtoken|apikey|api_key|clientsecret|privatekey|encryptionkey|jwtsecret|smtpurl|mongouri|redisurl|webhooksecret)$|secret|token$|apikey$|api_key$|privatekey$|hash$|^stripe.*key$/i

const REDACTED = '[redacted]'
const MAX_DEPTH = 8

// Every log line passes through redactSecrets: remember each key name's verdict instead of running the
// regular expression per key per line (bounded, key names are few).
const secretKeyVerdicts = new Map<string, boolean>()
const MAX_REMEMBERED_KEYS = 4096

function isSecretKey(key: string): boolean {
  let verdict = secretKeyVerdicts.get(key)
  if (verdict === undefined) {
    verdict = SECRET_KEY.test(key)
    if (secretKeyVerdicts.size < MAX_REMEMBERED_KEYS) secretKeyVerdicts.set(key, verdict)
  }
  return verdict
}

/** Whether `value` is a plain flat object (no nested objects) without a secret-named key: nothing to redact. */
function isFlatAndClean(value: object): boolean {
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false
    const inner = (value as Record<string, unknown>)[key]
    if (inner === null || inner === undefined) continue
    if (typeof inner === 'object' || isSecretKey(key)) return false
  }
  return true
}

/**
 * Returns a copy with secret-named keys replaced; leaves the caller's object untouched. A flat object with
 * nothing to replace (an access log line) is returned as it is: pino only serializes it.
 */
export function redactSecrets(value: unknown, depth = 0, seen?: WeakSet<object>): unknown {
  if (value == null || typeof value !== 'object') return value
  if (value instanceof Error || value instanceof Date || Buffer.isBuffer(value)) return value
  if (depth === 0 && !Array.isArray(value) && isFlatAndClean(value)) return value
  // Created lazily: most log lines are flat objects of primitives.
  const visited = seen ?? new WeakSet<object>()
  if (visited.has(value) || depth > MAX_DEPTH) return '[omitted]'
  visited.add(value)
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, visited))
  const copy: Record<string, unknown> = {}
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const inner = (value as Record<string, unknown>)[key]
    copy[key] =
      inner != null && isSecretKey(key)
        ? REDACTED
        : typeof inner === 'object' && inner !== null
          ? redactSecrets(inner, depth + 1, visited)
          : inner
  }
  return copy
}

function serializeError(error: unknown): unknown {
  return redactSecrets(error instanceof Error ? pino.stdSerializers.err(error) : error)
}

export interface CreateLoggerOptions {
  level?: LoggerOptions['level']
  name?: string
  /**
   * Defaults to stdout written in batches (asyncDestination: no write per line on the request path; queued
   * lines are written out on process exit and by createApp on shutdown). Tests pass a stream to inspect lines.
   */
  destination?: DestinationStream
}

/**
 * The default destination (file descriptor or path): lines are encoded into batches (batched-destination.ts)
 * written when nearly full (32 KiB), after at most 25 ms, or at once for an error line. A batch is written
 * synchronously: one write(2) per batch costs less than an asynchronous write's threadpool round trip, and
 * nothing is in flight when the process exits. Like pino's default destination, a stdout reader that stops
 * reading stalls the process rather than letting lines pile up in memory.
 */
export function asyncDestination(dest: number | string = 1): DestinationStream {
  // In buffer content mode SonicBoom writes Buffers (its type declarations only name strings).
  const writer = pino.destination({ dest, sync: true, contentMode: 'buffer' }) as unknown as LineWriter
  return batchedDestination(writer)
}

/** Writes out buffered lines (asynchronous destination); resolves at once for other destinations. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve())
    } catch {
      resolve()
    }
  })
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const logger = pino(
    {
      name: options.name ?? 'masterstage',
      level: options.level ?? 'info',
      // Fast path for the well-known spots; the formatter below catches everything else at any depth.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'res.headers["set-cookie"]',
          'headers.authorization',
          'headers.cookie'
        ],
        censor: REDACTED
      },
      formatters: {
        log: (object) => redactSecrets(object) as Record<string, unknown>
      },
      // Errors are serialized to plain objects first (pino copies every enumerable property, e.g. a
      // request config with an Authorization header), then redacted like any other object.
      serializers: { err: serializeError, error: serializeError }
    },
    options.destination ?? asyncDestination()
  )
  allowFastInfoLines(logger)
  return logger
}

/** A child logger carrying the unit of work's request id on every line. */
export function requestLogger(
  logger: Logger,
  requestId: string,
  bindings: Record<string, unknown> = {}
): Logger {
  return logger.child({ requestId, ...bindings })
}
