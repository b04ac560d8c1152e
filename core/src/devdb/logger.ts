// Logger type used by the devdb (pino-compatible subset) and a quiet default.
import pino from 'pino'

export interface DevDbLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}

export function defaultLogger(): DevDbLogger {
  return pino({ name: 'devdb', level: process.env.DEVDB_LOG_LEVEL ?? 'info' })
}
