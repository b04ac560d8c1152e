// Koa middleware resolving the request's tenant into `ctx.feathers.tenant` before any service runs.
// Must be registered before Feathers' rest() middleware. Access to the tenant is checked by the call guard.
// Also a request stage (app/request-stage.ts): the platform's front middleware runs it without a Koa
// dispatch step, and without a promise when the tenant is cached.
import type { Application, ResolvedTenant } from '../app/declarations.ts'
import { type StagedMiddleware, stagedMiddleware } from '../app/request-stage.ts'
import { resolveTenantNow, TENANT_HEADER } from './resolve-tenant.ts'

export function resolveTenantMiddleware(app: Application): StagedMiddleware {
  const assign = (ctx: any, tenant: ResolvedTenant | undefined) => {
    // ctx.feathers is this request's own object (Feathers' Koa transport creates it per request).
    if (ctx.feathers) ctx.feathers.tenant = tenant
    else ctx.feathers = { tenant }
  }
  return stagedMiddleware((ctx) => {
    // Node joins repeated custom headers into one string, as ctx.get() returned it.
    const header: string | undefined = ctx.req.headers[TENANT_HEADER]
    const tenant = resolveTenantNow(app, { host: ctx.host, explicit: header || undefined })
    if (tenant instanceof Promise) return tenant.then((resolved) => assign(ctx, resolved))
    assign(ctx, tenant)
  })
}
