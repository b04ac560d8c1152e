// Mounts plugins' webhook routes at /webhooks/<plugin>/<path> as plain Koa routes that see the raw
// request body (for signature checks), capped in size and optionally rate limited per client IP (batched
// counting, as the global HTTP limit): after request id, access log and error handler (so webhooks get all
// three), before the body parser.
import type { Context, Next } from 'koa'
import type { Logger } from 'pino'
import type { Application } from '../app/declarations.ts'
import { useBeforeBodyParser } from '../app/raw-body-routes.ts'
import { runAsSystem } from '../context/request-scope.ts'
import { ErrorCode } from '../errors/codes.ts'
import { countHit, warnAndFailOpen } from '../rate-limit/count-hit.ts'
import type { PluginContext } from './plugin-context.ts'
import type { PluginWebhookRoute } from './plugin-manifest.ts'

const DEFAULT_BODY_LIMIT = 1024 * 1024
const PREFIX = '/webhooks/'

interface MountedRoute {
  plugin: string
  route: PluginWebhookRoute
  context: PluginContext
}

const routersByApp = new WeakMap<Application, Map<string, MountedRoute>>()

export function mountWebhookRoute(
  app: Application,
  plugin: string,
  route: PluginWebhookRoute,
  context: PluginContext
): void {
  let routes = routersByApp.get(app)
  if (!routes) {
    routes = new Map()
    routersByApp.set(app, routes)
    const limit = app.get('config')?.bodyLimitBytes ?? DEFAULT_BODY_LIMIT
    useBeforeBodyParser(app, webhookMiddleware(app, routes, limit) as any, { pathPrefix: PREFIX })
  }
  const key = `${route.method} ${PREFIX}${plugin}/${route.path}`
  if (routes.has(key)) throw new Error(`Webhook route ${key} is registered twice`)
  routes.set(key, { plugin, route, context })
}

function webhookMiddleware(app: Application, routes: Map<string, MountedRoute>, limit: number) {
  const logger: Logger | undefined = app.get('logger')
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith(PREFIX)) return next()
    const mounted = routes.get(`${ctx.method} ${ctx.path.replace(/\/+$/, '')}`)
    if (!mounted) return next()
    if (mounted.route.rateLimit && !(await withinRateLimit(app, ctx, mounted))) return
    const declared = Number(ctx.get('content-length') || 0)
    if (declared > limit) return refuseTooLarge(ctx, limit)
    const rawBody = await readRawBody(ctx, limit)
    if (!rawBody) return refuseTooLarge(ctx, limit)
    const name = `${mounted.plugin}.webhook`
    try {
      const result = await runAsSystem(
        name,
        undefined,
        () =>
          mounted.route.handle(
            { rawBody, headers: ctx.req.headers, query: ctx.query as Record<string, string> },
            mounted.context
          ),
        ctx.state.requestId
      )
      ctx.status = result.status
      if (result.body !== undefined) ctx.body = result.body
      else ctx.body = null
    } catch (error) {
      logger?.warn(
        {
          plugin: mounted.plugin,
          path: ctx.path,
          requestId: ctx.state.requestId,
          err: { message: (error as Error).message }
        },
        'webhook failed'
      )
      // The error handler answers with the coded error (or a generic 500 carrying the request id).
      throw error
    }
  }
}

/**
 * Per client IP and route, counted by the batched per-IP limiter (no Redis round trip per request; error
 * bound in rate-limit/batched-rate-limiter.ts). Fails open when Redis is down: a provider's retries must not
 * be lost.
 */
async function withinRateLimit(app: Application, ctx: Context, mounted: MountedRoute): Promise<boolean> {
  const access = app.get('access')
  const limiter = access?.httpLimiter ?? access?.rateLimiter
  const limit = mounted.route.rateLimit
  if (!limiter || !limit) return true
  const rule = {
    name: `webhook-${mounted.plugin}-${mounted.route.path.replaceAll('/', '-')}`,
    points: limit.points,
    durationSeconds: limit.durationSeconds
  }
  let result = countHit(
    limiter,
    rule,
    ctx.ip,
    warnAndFailOpen(() => app.get('logger'), 'webhook rate limit unavailable, failing open')
  )
  if (result instanceof Promise) result = await result
  if (!result || result.allowed) return true
  ctx.status = 429
  ctx.set('Retry-After', String(result.retryAfterSeconds))
  ctx.body = {
    name: 'TooManyRequests',
    message: 'Too many requests, slow down',
    code: 429,
    data: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: result.retryAfterSeconds }
  }
  return false
}

function refuseTooLarge(ctx: Context, limit: number): void {
  ctx.status = 413
  ctx.set('Connection', 'close')
  ctx.body = {
    name: 'PayloadTooLarge',
    message: `Request body exceeds ${limit} bytes`,
    code: 413,
    data: { code: ErrorCode.PAYLOAD_TOO_LARGE, limitBytes: limit }
  }
}

/** Resolves to undefined when the body grows past `limit` (the rest of the stream is discarded). */
function readRawBody(ctx: Context, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    ctx.req.on('data', (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
        resolve(undefined)
        return
      }
      chunks.push(chunk)
    })
    ctx.req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks))
    })
    ctx.req.on('error', reject)
  })
}
