// One structured line per finished HTTP request: request id, method, path (never the query string, which
// may carry tokens), status, duration and tenant. Error statuses go through pino (error level, written at
// once); the rest through writeInfoLine, the same line without pino's generic serializer.
import type { Logger } from 'pino'
import { writeInfoLine } from '../logging/fast-info-line.ts'
import { jsonString, tenthsOfMs } from '../logging/json-fragments.ts'

/** Writes the line of a finished request that started at `startedMs` (performance.now()). */
export function logRequest(logger: Logger, ctx: any, startedMs: number): void {
  const status: number = ctx.status
  // Info lines off (warn and above): nothing to build.
  if (status < 500 && logger.levelVal > 30) return
  const elapsedMs = performance.now() - startedMs
  const tenant: string | undefined = ctx.feathers?.tenant?.slug
  const requestId: unknown = ctx.state.requestId
  if (status < 500 && typeof requestId === 'string') {
    const fields = `,"requestId":${jsonString(requestId)},"method":${jsonString(ctx.method)},"path":${jsonString(ctx.path)},"status":${status},"durationMs":${tenthsOfMs(elapsedMs)}${tenant === undefined ? '' : `,"tenant":${typeof tenant === 'string' ? jsonString(tenant) : JSON.stringify(tenant)}`}`
    if (writeInfoLine(logger, fields, '"request"')) return
  }
  const durationMs = Math.round(elapsedMs * 10) / 10
  const line = { requestId, method: ctx.method, path: ctx.path, status, durationMs, tenant }
  if (status >= 500) logger.error(line, 'request failed')
  else logger.info(line, 'request')
}
