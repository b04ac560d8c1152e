// A request stage is a Koa middleware reduced to its work before `next()`: it may answer synchronously
// (nothing to wait for: no promise) or return a promise. The platform's front middleware runs stages in a
// row without a Koa dispatch step, closure or promise each; anywhere else they still work as middleware.
import type { Middleware } from '@feathersjs/koa'

export type RequestStage = (ctx: any) => void | Promise<void>

export interface StagedMiddleware extends Middleware {
  stage: RequestStage
}

export function stagedMiddleware(stage: RequestStage): StagedMiddleware {
  const middleware = (async (ctx, next) => {
    const pending = stage(ctx)
    if (pending) await pending
    return next()
  }) as StagedMiddleware
  middleware.stage = stage
  return middleware
}

/** The stage of a middleware made by stagedMiddleware, or undefined for any other middleware. */
export function stageOf(middleware: Middleware): RequestStage | undefined {
  const stage = (middleware as Partial<StagedMiddleware>).stage
  return typeof stage === 'function' ? stage : undefined
}
