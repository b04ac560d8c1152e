// Reads the request's credentials (Authorization header) into `ctx.feathers.authentication` as a request
// stage of the platform's front, in place of Feathers' parseAuthentication Koa middleware (a middleware
// step, a promise per strategy and a copy of ctx.feathers per request). The JWT strategy parses a header
// synchronously; a strategy that can only parse asynchronously keeps Feathers' parse.
import type { Application } from '../app/declarations.ts'
import { type StagedMiddleware, stagedMiddleware } from '../app/request-stage.ts'

/** What the front asks of the authentication service (MasterstageAuthenticationService provides both). */
interface ParsingService {
  configuration: { parseStrategies?: string[]; authStrategies?: string[] }
  /** The parsed credentials or null; undefined when some strategy cannot answer synchronously. */
  parseNow?(req: unknown, res: unknown, ...names: string[]): Record<string, unknown> | null | undefined
  parse(req: unknown, res: unknown, ...names: string[]): Promise<Record<string, unknown> | null>
}

export function parseAuthenticationStage(app: Application): StagedMiddleware {
  const assign = (ctx: any, authentication: Record<string, unknown> | null) => {
    if (!authentication) return
    if (ctx.feathers) ctx.feathers.authentication = authentication
    else ctx.feathers = { authentication }
  }
  return stagedMiddleware((ctx) => {
    const service: ParsingService | undefined = (app as any).defaultAuthentication?.()
    if (!service) return
    const config = service.configuration
    const names = config.parseStrategies ?? config.authStrategies ?? []
    if (names.length === 0) return
    const now = service.parseNow?.(ctx.req, ctx.res, ...names)
    if (now !== undefined) return assign(ctx, now)
    return service.parse(ctx.req, ctx.res, ...names).then((parsed) => assign(ctx, parsed))
  })
}
