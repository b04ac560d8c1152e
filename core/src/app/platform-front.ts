// The platform's HTTP front as one Koa middleware: request id, access log, error handling, health and
// readiness, raw-body routes, body parser, then the request stages (per-IP limit, tenant resolution), in
// that order and with the behaviour each had as a middleware of its own. As one middleware there is no Koa
// dispatch step, closure or promise per part per request: stages that need not wait (a hit counted
// locally, a cached tenant) answer synchronously, GET requests skip the body parser (koa-body parses only
// POST, PUT and PATCH), and ctx.feathers (a fresh object per request) is filled in place.
import type { Middleware } from '@feathersjs/koa'
import type { Logger } from 'pino'
import { logRequest } from './access-log.ts'
import { clientIp, usesTrustedPeers } from './client-ip.ts'
import type { Application } from './declarations.ts'
import { answerError, pathNotFound, unanswered } from './error-handler.ts'
import type { RouteHandler } from './health.ts'
import { runRawBodyRoutes } from './raw-body-routes.ts'
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.ts'
import { type RequestStage, stageOf } from './request-stage.ts'
import type { RestServiceCall } from './rest-service-call.ts'

export interface PlatformFrontOptions {
  app: Application
  logger: Logger
  /** GET/HEAD routes answered before anything else (health, readiness), by exact path. */
  routes: ReadonlyMap<string, RouteHandler>
  /** koa-body; it reads only the bodies of BODY_METHODS. */
  bodyParser: Middleware
  /** Run in order after the body parser (rate limit, tenant); middleware made by stagedMiddleware runs as a stage. */
  stages: readonly Middleware[]
  /**
   * Feathers' REST call (rest-service-call.ts) run after the stages instead of Koa's next middleware when it
   * takes the request; requires rest() configured on the app right after this middleware.
   */
  serviceCall?: RestServiceCall
}

/** The methods koa-body parses by default; for the others it does nothing but call next(). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])
const done = () => Promise.resolve()
/** The request's remaining chain, kept on ctx for afterRawBodyRoutes instead of a closure per request. */
const NEXT = Symbol('platform front next')

export function platformFront(options: PlatformFrontOptions): Middleware {
  const { app, logger, routes, bodyParser, serviceCall } = options
  const stages = options.stages.map(stageOf)
  const plain = stages.every((stage) => stage !== undefined) ? undefined : [...options.stages]
  // A list of trusted proxy peers is resolved here, once per request (a hop count is Koa's own ctx.ip).
  const trustProxy = app.get('config')?.trustProxy ?? 0
  const peerList = usesTrustedPeers(trustProxy)

  const afterStages = (ctx: any, next: () => Promise<void>): Promise<void> => {
    const called = serviceCall ? serviceCall(ctx) : false
    return called === false ? next() : called
  }

  const runStages = async (ctx: any, next: () => Promise<void>): Promise<void> => {
    if (plain) return runMiddlewares(plain, ctx, () => afterStages(ctx, next))
    for (const stage of stages as RequestStage[]) {
      const pending = stage(ctx)
      if (pending) await pending
    }
    return afterStages(ctx, next)
  }

  const afterRawBodyRoutes = async (ctx: any): Promise<void> => {
    if (BODY_METHODS.has(ctx.method)) await bodyParser(ctx, done)
    return runStages(ctx, ctx[NEXT])
  }

  return async function platformFrontMiddleware(ctx: any, next: () => Promise<void>) {
    const started = performance.now()
    const requestId = requestIdFor(ctx.req.headers[REQUEST_ID_HEADER])
    ctx.state.requestId = requestId
    ctx[NEXT] = next
    // Feathers' Koa transport made ctx.feathers for this request (its first middleware).
    if (!ctx.feathers) ctx.feathers = {}
    ctx.feathers.requestId = requestId
    if (peerList)
      ctx.request.ip = clientIp(trustProxy, ctx.req.headers['x-forwarded-for'], ctx.req.socket.remoteAddress)
    ctx.feathers.ip = ctx.ip
    ctx.res.setHeader('X-Request-Id', requestId)
    try {
      try {
        const method: string = ctx.method
        const route = method === 'GET' || method === 'HEAD' ? routes.get(ctx.path) : undefined
        if (route) await route(ctx)
        else await runRawBodyRoutes(app, ctx, afterRawBodyRoutes)
        if (unanswered(ctx)) throw pathNotFound(ctx)
      } catch (error) {
        answerError(ctx, error, logger)
      }
    } finally {
      logRequest(logger, ctx, started)
    }
  }
}

function runMiddlewares(list: readonly Middleware[], ctx: any, next: () => Promise<void>): Promise<void> {
  const dispatch = async (index: number): Promise<void> => {
    if (index === list.length) return next()
    await list[index](ctx, () => dispatch(index + 1))
  }
  return dispatch(0)
}
