// Koa middleware resolving the request's tenant into `ctx.feathers.tenant` before any service runs.
// Must be registered before Feathers' rest() middleware. Access to the tenant is checked by the call guard.
import type { Middleware } from '@feathersjs/koa'
import type { Application } from '../app/declarations.ts'
import { resolveTenant, TENANT_HEADER } from './resolve-tenant.ts'

export function resolveTenantMiddleware(app: Application): Middleware {
  return async (ctx, next) => {
    const header = ctx.get(TENANT_HEADER)
    const tenant = await resolveTenant(app, { host: ctx.host, explicit: header || undefined })
    // ctx.feathers is this request's own object (Feathers' Koa transport creates it per request).
    if (ctx.feathers) (ctx.feathers as { tenant?: unknown }).tenant = tenant
    else ctx.feathers = { tenant } as any
    await next()
  }
}
