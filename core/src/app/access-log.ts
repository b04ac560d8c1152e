// One structured log line per HTTP request (method, path without query string, status, duration).
// The query string is left out on purpose: it can carry reset tokens and personal data.
import type { Middleware } from '@feathersjs/koa'
import type { Logger } from 'pino'

export function accessLogMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint()
    try {
      await next()
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6
      const status = ctx.status
      const line = {
        requestId: ctx.state.requestId,
        method: ctx.method,
        path: ctx.path,
        status,
        durationMs: Math.round(durationMs * 10) / 10,
        tenant: (ctx.feathers as any)?.tenant?.slug
      }
      if (status >= 500) logger.error(line, 'request failed')
      else logger.info(line, 'request')
    }
  }
}
