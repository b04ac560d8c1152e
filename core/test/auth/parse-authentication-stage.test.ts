// The front's credentials stage: the JWT header is parsed without a promise; a strategy that parses only
// asynchronously still gets Feathers' parse; no header leaves ctx.feathers without authentication.
import { describe, expect, it } from 'vitest'
import { parseAuthenticationStage } from '../../src/auth/parse-authentication-stage.ts'
import { TokenVersionJwtStrategy } from '../../src/auth/token-version-jwt-strategy.ts'

function appWith(service: unknown): any {
  return { defaultAuthentication: () => service }
}

const ctxWith = (headers: Record<string, string>) =>
  ({ req: { headers }, res: {}, feathers: { provider: 'rest' } }) as any

describe('parseAuthenticationStage', () => {
  // Feathers' JWT defaults: the Authorization header, schemes Bearer and JWT.
  const jwt = new TokenVersionJwtStrategy()
  jwt.setName('jwt')
  jwt.setAuthentication({ configuration: { entity: 'user', service: 'users', entityId: '_id' } } as any)
  const syncService = {
    configuration: { authStrategies: ['jwt', 'local'] },
    parseNow: (req: any) => jwt.parseNow(req),
    parse: async () => {
      throw new Error('the asynchronous parse must not run when parseNow answers')
    }
  }

  it('parses a bearer token synchronously into ctx.feathers.authentication', () => {
    const ctx = ctxWith({ authorization: 'Bearer abc.def.ghi' })
    const pending = parseAuthenticationStage(appWith(syncService)).stage(ctx)
    expect(pending).toBeUndefined()
    expect(ctx.feathers).toEqual({
      provider: 'rest',
      authentication: { strategy: 'jwt', accessToken: 'abc.def.ghi' }
    })
  })

  it('leaves requests without credentials, or with another scheme, unauthenticated', () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }] as Record<string, string>[]) {
      const ctx = ctxWith(headers)
      expect(parseAuthenticationStage(appWith(syncService)).stage(ctx)).toBeUndefined()
      expect(ctx.feathers).toEqual({ provider: 'rest' })
    }
  })

  it("falls back to the service's asynchronous parse when a strategy cannot parse synchronously", async () => {
    const asyncService = {
      configuration: { parseStrategies: ['api-key'] },
      parseNow: () => undefined,
      parse: async (_req: unknown, _res: unknown, ...names: string[]) => ({ strategy: names[0], key: 'k1' })
    }
    const ctx = ctxWith({ 'x-api-key': 'k1' })
    const pending = parseAuthenticationStage(appWith(asyncService)).stage(ctx)
    expect(pending).toBeInstanceOf(Promise)
    await pending
    expect(ctx.feathers.authentication).toEqual({ strategy: 'api-key', key: 'k1' })
  })

  it('does nothing when authentication is not configured', () => {
    const ctx = ctxWith({ authorization: 'Bearer x' })
    expect(parseAuthenticationStage(appWith(undefined)).stage(ctx)).toBeUndefined()
    expect(ctx.feathers).toEqual({ provider: 'rest' })
  })
})
