// Hook-point for routes that must read the raw request body (webhook signature checks): middleware
// registered here runs after request id, access log and error handling, but before the JSON body parser.
import type { Middleware } from '@feathersjs/koa'
import type { Application } from './declarations.ts'

export interface RawBodyRouteOptions {
  /**
   * Paths the middleware may answer start with this (e.g. '/webhooks/'): other requests skip it without a
   * call. Without it the middleware sees every request.
   */
  pathPrefix?: string
}

interface RawBodyRoute {
  middleware: Middleware
  pathPrefix?: string
}

const routesByApp = new WeakMap<Application, RawBodyRoute[]>()

/** Registers `middleware` (any time before the first request); it should call next() for paths it does not own. */
export function useBeforeBodyParser(
  app: Application,
  middleware: Middleware,
  options: RawBodyRouteOptions = {}
): void {
  const routes = routesByApp.get(app) ?? []
  routes.push({ middleware, ...(options.pathPrefix && { pathPrefix: options.pathPrefix }) })
  routesByApp.set(app, routes)
}

const concerns = (route: RawBodyRoute, path: string) =>
  route.pathPrefix === undefined || path.startsWith(route.pathPrefix)

/**
 * Runs the raw-body routes that may answer this request (in registration order), then `next` if none did;
 * when none may, `next` directly (no closure, no extra step).
 */
export function runRawBodyRoutes(
  app: Application,
  ctx: any,
  next: (ctx: any) => Promise<void>
): Promise<void> {
  const routes = routesByApp.get(app)
  if (!routes) return next(ctx)
  const path: string = ctx.path
  let first = 0
  while (first < routes.length && !concerns(routes[first], path)) first++
  if (first === routes.length) return next(ctx)
  const dispatch = async (index: number): Promise<void> => {
    while (index < routes.length && !concerns(routes[index], path)) index++
    if (index === routes.length) return next(ctx)
    await routes[index].middleware(ctx, () => dispatch(index + 1))
  }
  return dispatch(first)
}
