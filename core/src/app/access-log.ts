// One structured log line per HTTP request (method, path without query string, status, duration).
// The query string is left out on purpose: it can carry reset tokens and personal data.
import type { Middleware } from '@feathersjs/koa'
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

export function accessLogMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      logRequest(logger, ctx, started)
    }
  }
}
