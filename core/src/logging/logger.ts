// Structured logging (pino) with secrets redacted at any depth: credentials, tokens, API keys,
// cookies, tenant plugin secrets and connection strings never reach a log line.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'

export type { Logger }

/** Key names whose values are always replaced, wherever they appear in a logged object. */
const SECRET_KEY =
  /^(authorization|cookie|set-cookie|x-api-key|password|passwd|pass|passwordhash|secret|secrets|token|accesstoken|refreshtoken|idtoken|apikey|api_key|clientsecret|privatekey|encryptionkey|jwtsecret|smtpurl|mongouri|redisurl|webhooksecret)$|secret|token$|apikey$|api_key$|privatekey$|hash$|^stripe.*key$/i

const REDACTED = '[redacted]'
const MAX_DEPTH = 8

/** Returns a copy with secret-named keys replaced; leaves the caller's object untouched. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value == null || typeof value !== 'object') return value
  if (value instanceof Error || value instanceof Date || Buffer.isBuffer(value)) return value
  if (seen.has(value) || depth > MAX_DEPTH) return '[omitted]'
  seen.add(value)
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen))
  const copy: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = SECRET_KEY.test(key) && inner != null ? REDACTED : redactSecrets(inner, depth + 1, seen)
  }
  return copy
}

function serializeError(error: unknown): unknown {
  return redactSecrets(error instanceof Error ? pino.stdSerializers.err(error) : error)
}

export interface CreateLoggerOptions {
  level?: LoggerOptions['level']
  name?: string
  /** Defaults to stdout; tests pass a stream to inspect lines. */
  destination?: DestinationStream
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
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
    options.destination
  )
}

/** A child logger carrying the unit of work's request id on every line. */
export function requestLogger(
  logger: Logger,
  requestId: string,
  bindings: Record<string, unknown> = {}
): Logger {
  return logger.child({ requestId, ...bindings })
}
