// A DevDbLogger that records entries so tests can assert on warnings.
import type { DevDbLogger } from '../../../src/devdb/index.ts'

export interface LogEntry {
  level: 'info' | 'warn' | 'error' | 'debug'
  obj: object
  msg?: string
}

export function captureLogger(): DevDbLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj, msg })
    }
  return { entries, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') }
}
