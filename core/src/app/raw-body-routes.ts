// Hook-point for routes that must read the raw request body (webhook signature checks): middleware
// registered here runs after request id, access log and error handling, but before the JSON body parser.
import type { Middleware } from '@feathersjs/koa'
import type { Application } from './declarations.ts'

const routesByApp = new WeakMap<Application, Middleware[]>()

/** Registers `middleware` (any time before the first request); it should call next() for paths it does not own. */
export function useBeforeBodyParser(app: Application, middleware: Middleware): void {
  const list = routesByApp.get(app) ?? []
  list.push(middleware)
  routesByApp.set(app, list)
}

/** Placed by createApp just before the body parser. */
export function beforeBodyParserMiddleware(app: Application): Middleware {
  return async (ctx, next) => {
    const list = routesByApp.get(app)
    if (!list || list.length === 0) return next()
    const dispatch = async (index: number): Promise<void> => {
      if (index === list.length) return next()
      await list[index](ctx, () => dispatch(index + 1))
    }
    return dispatch(0)
  }
}
