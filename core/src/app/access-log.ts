import type { Logger } from 'pino'

/** Writes the line of a finished request that started at `startedMs` (performance.now()). */
export function logRequest(logger: Logger, ctx: any, startedMs: number): void {
  const status: number = ctx.status
  const line = {
    requestId: ctx.state.requestId,
    method: ctx.method,
    path: ctx.path,
    status,
    durationMs: Math.round((performance.now() - startedMs) * 10) / 10,
    tenant: ctx.feathers?.tenant?.slug
  }
  if (status >= 500) logger.error(line, 'request failed')
  else logger.info(line, 'request')
}
