// Feathers' Koa REST transport (rest(): service lookup, service method call, response) as a plain function
// the platform's front calls itself: the same steps without the four Koa dispatch steps and async layers
// between the front and the service (Feathers' parseAuthentication, which the app configures with no
// strategies, the lookup middleware, the composed per-service chain and its no-op formatter). A service with
// Koa middleware of its own (koa.before/after) and any path that is not a service keep Koa's chain.
import { MethodNotAllowed } from '@feathersjs/errors'
import feathersModule from '@feathersjs/feathers'
import { http } from '@feathersjs/transport-commons'
import type { Application } from './declarations.ts'

/** Calls the service `ctx` addresses and fills the response; false when Koa's chain must answer instead. */
export type RestServiceCall = (ctx: any) => Promise<void> | false

// CommonJS: Node sees only some of its exports as named ones.
const { createContext, defaultServiceMethods, getServiceOptions } = feathersModule
// Feathers accepts one function as well as a list (it concats them): anything but an empty list counts.
const hasMiddleware = (middleware: unknown) =>
  middleware !== undefined && middleware !== null && !(Array.isArray(middleware) && middleware.length === 0)

export function restServiceCall(app: Application): RestServiceCall {
  return (ctx) => {
    const lookup = (app as any).lookup(ctx.path)
    if (!lookup) return false
    const koaOptions = getServiceOptions(lookup.service)?.koa as
      | { before?: unknown; after?: unknown; composed?: unknown }
      | undefined
    // Without `composed` the service joined before rest() was configured: Koa's chain decides what happens.
    if (!koaOptions?.composed || hasMiddleware(koaOptions.before) || hasMiddleware(koaOptions.after))
      return false
    ctx.lookup = lookup
    return callService(ctx, lookup)
  }
}

/** The body of Feathers' serviceMiddleware (@feathersjs/koa rest.js), step for step. */
async function callService(ctx: any, lookup: any): Promise<void> {
  const request = ctx.request
  const { query, headers, body: data, method: httpMethod } = request
  const methodOverride = headers[http.METHOD_HEADER]
  const { service, params: { __id: id = null, ...route } = {} } = lookup
  const method = http.getServiceMethod(httpMethod, id, methodOverride)
  const methods: readonly string[] = getServiceOptions(service)?.methods ?? []
  if (!methods.includes(method) || defaultServiceMethods.includes(methodOverride)) {
    const error = new MethodNotAllowed(`Method \`${method}\` is not supported by this endpoint.`)
    ctx.response.status = error.code
    throw error
  }
  const createArguments = (http.argumentsFor as any)[method] || http.argumentsFor.default
  const params = { query, headers, route, ...ctx.feathers }
  const args = createArguments({ id, data, params })
  const contextBase = createContext(service, method, { http: {} })
  ctx.hook = contextBase
  const context = await service[method](...args, contextBase)
  ctx.hook = context
  const response = http.getResponse(context)
  ctx.status = response.status
  ctx.set(response.headers)
  ctx.body = response.body
}
