// Request correlation: accepts a well-formed X-Request-Id from the caller (proxy, load balancer) or
// mints one, echoes it on the response and hands it to Feathers params and the request scope.
import { randomUUID } from 'node:crypto'
import type { Middleware } from '@feathersjs/koa'

export const REQUEST_ID_HEADER = 'x-request-id'
const ACCEPTED = /^[A-Za-z0-9._:-]{8,128}$/

export function requestIdMiddleware(): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get(REQUEST_ID_HEADER)
    const requestId = ACCEPTED.test(incoming) ? incoming : randomUUID()
    ctx.state.requestId = requestId
    ctx.feathers = { ...ctx.feathers, requestId, ip: ctx.ip } as any
    ctx.set('X-Request-Id', requestId)
    await next()
  }
}
