// Mounts Feathers authentication at /authentication with the tenant-aware local strategy and the
// token-version JWT strategy. Tokens are HS256 only; `tv` carries the user's tokenVersion.
import { createSecretKey, type KeyObject } from 'node:crypto'
import { AuthenticationService } from '@feathersjs/authentication'
import type { Params } from '@feathersjs/feathers'
import type { Application, HookContext, NextFunction } from '../app/declarations.ts'
import { runInScope } from '../context/request-scope.ts'
import { validationError } from '../errors/codes.ts'
import { joinUserChannels } from '../realtime/connection-channels.ts'
import { registerMagicLink } from './magic-link/register-magic-link.ts'
import { TenantLocalStrategy } from './tenant-local-strategy.ts'
import { TokenVersionJwtStrategy } from './token-version-jwt-strategy.ts'
import type { PublicUser } from './user-model.ts'
import { createVerifiedTokenCache } from './verified-token-cache.ts'

export const AUTHENTICATION_PATH = 'authentication'
export const JWT_AUDIENCE = 'masterstage'
export const JWT_ISSUER = 'masterstage'

class MasterstageAuthenticationService extends AuthenticationService {
  // jsonwebtoken turns a string secret into a key per call (trying createPublicKey first): ~5 % of a
  // request's CPU. The same checks run with a KeyObject built once (HS256 pinned by jwtOptions), and a
  // token already verified is recognised without a second HMAC (verified-token-cache.ts).
  private verificationKey?: { secret: string; key: KeyObject }
  private configurationMemo?: { source: unknown; value: any }

  // Feathers rebuilds this object (defaults + settings) on every read, several times per request. Settings
  // are set once (setupAuthentication); replacing them with app.set still takes effect.
  override get configuration(): any {
    const source = (this.app as any).get(this.configKey)
    let memo = this.configurationMemo
    if (!memo || memo.source !== source) {
      memo = { source, value: super.configuration }
      this.configurationMemo = memo
    }
    return memo.value
  }

  private readonly verifiedTokens = createVerifiedTokenCache()
  private parseMemo?: { names: readonly string[]; strategies: any[] }

  // Feathers' parse looks the strategies up and filters them on every request: the same list, kept until
  // the names asked for or the registered strategies change.
  override async parse(req: any, res: any, ...names: string[]) {
    for (const strategy of this.parseStrategies(names).strategies) {
      const value = await strategy.parse(req, res)
      if (value !== null) return value
    }
    return null
  }

  /**
   * parse() without a promise when every parsing strategy also parses synchronously (`parseNow`, as the
   * JWT strategy does): the same answer, or undefined when some strategy can only answer asynchronously.
   */
  parseNow(req: any, res: any, ...names: string[]): Record<string, unknown> | null | undefined {
    const { strategies } = this.parseStrategies(names)
    for (const strategy of strategies) {
      if (typeof strategy.parseNow !== 'function') return undefined
      const value = strategy.parseNow(req, res)
      if (value !== null) return value
    }
    return null
  }

  private parseStrategies(names: string[]) {
    let memo = this.parseMemo
    if (!memo || !sameNames(memo.names, names)) {
      const strategies = this.getStrategies(...names).filter(
        (strategy: any) => typeof strategy?.parse === 'function'
      )
      memo = { names, strategies }
      this.parseMemo = memo
    }
    return memo
  }

  override register(name: string, strategy: any) {
    this.parseMemo = undefined
    super.register(name, strategy)
  }

  override async verifyAccessToken(accessToken: string, optsOverride?: any, secretOverride?: any) {
    // Calls with their own options or secret are rare and not cached.
    if (optsOverride !== undefined || secretOverride !== undefined)
      return super.verifyAccessToken(accessToken, optsOverride, secretOverride)
    const key = this.cachedKey()
    const known = this.verifiedTokens.get(accessToken)
    if (known) return known
    const payload = await super.verifyAccessToken(accessToken, undefined, key)
    this.verifiedTokens.remember(accessToken, payload)
    return payload
  }

  private cachedKey(): KeyObject {
    // The raw setting, not `this.configuration` (a getter merging defaults on every read).
    const secret: string = (this.app as any).get(this.configKey).secret
    if (this.verificationKey?.secret !== secret) {
      this.verificationKey = { secret, key: createSecretKey(Buffer.from(secret)) }
      this.verifiedTokens.clear()
    }
    return this.verificationKey.key
  }

  /**
   * The user behind an access token already verified (verified-token cache) whose user is cached and whose
   * `tv` still matches: what authenticate(authentication, params, 'jwt') would answer, without a promise or
   * copies of the call's params. undefined whenever anything is not known right now (unknown or expired
   * token, user not cached, revoked): then the caller takes the full path, which decides and words refusals.
   */
  knownTokenUser(authentication: { strategy?: unknown; accessToken?: unknown }): PublicUser | undefined {
    const { accessToken } = authentication
    if (authentication.strategy !== 'jwt' || typeof accessToken !== 'string') return undefined
    this.cachedKey()
    const payload = this.verifiedTokens.peek(accessToken)
    if (!payload || typeof payload.sub !== 'string') return undefined
    const user = (this.app as Application).get('access')?.users.peek(payload.sub)
    if (!user || typeof payload.tv !== 'number' || payload.tv !== user.tokenVersion) return undefined
    return user
  }

  override async getPayload(authResult: any, params: Params) {
    const payload = await super.getPayload(authResult, params)
    return { ...payload, tv: authResult.user?.tokenVersion }
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false
  return true
}

/** Only these strategies can be named by clients; anything else is a 400, not a silent fallback. */
const CLIENT_STRATEGIES = new Set(['local', 'jwt', 'magic-link'])

async function checkAuthenticationRequest(context: HookContext, next: NextFunction) {
  if (context.method === 'create' && context.params.provider !== undefined) {
    const strategy = (context.data as any)?.strategy
    if (typeof strategy !== 'string' || !CLIENT_STRATEGIES.has(strategy)) {
      throw validationError('Unknown authentication strategy', [
        { path: 'strategy', message: "must be 'local', 'jwt' or 'magic-link'" }
      ])
    }
  }
  // Logins run as anonymous work of the addressed tenant (for logs and the data layer).
  const tenantId = (context.params as any).tenant?.id
  await runInScope(
    {
      requestId: (context.params as any).requestId ?? 'login',
      ...(tenantId && { tenantId }),
      actor: { kind: 'anonymous' }
    },
    next
  )
  // A socket login joins its channels before the client gets its answer, so no event is missed in between.
  const connection = (context.params as any).connection
  const user = (context.result as any)?.user
  if (context.method === 'create' && connection && user) {
    await joinUserChannels(context.app as Application, connection, user)
  }
}

export function setupAuthentication(app: Application): void {
  const config = app.get('config')
  app.set('authentication' as any, {
    entity: 'user',
    service: 'users',
    entityId: '_id',
    secret: config.jwtSecret,
    authStrategies: ['jwt', 'local', 'magic-link'],
    jwtOptions: {
      header: { typ: 'access' },
      audience: JWT_AUDIENCE,
      issuer: JWT_ISSUER,
      algorithm: 'HS256',
      expiresIn: config.jwtExpiresIn
    },
    local: { usernameField: 'email', passwordField: 'password' }
  })
  const authentication = new MasterstageAuthenticationService(app as any)
  authentication.register('jwt', new TokenVersionJwtStrategy())
  authentication.register('local', new TenantLocalStrategy())
  registerMagicLink(app, authentication)
  const untyped = app as any
  untyped.use(AUTHENTICATION_PATH, authentication, { methods: ['create', 'remove'], events: [] })
  untyped.service(AUTHENTICATION_PATH).hooks({ around: { all: [checkAuthenticationRequest] } })
  rememberDefaultAuthentication(app)
}

/**
 * Feathers' app.defaultAuthentication() searches every service for the one with the default config key, and
 * it runs on every request (REST parsing, the call guard): answer the known service without the search.
 */
function rememberDefaultAuthentication(app: Application): void {
  const untyped = app as any
  const search = untyped.defaultAuthentication
  const registered = untyped.service(AUTHENTICATION_PATH)
  untyped.defaultAuthentication = function (this: unknown, location?: string) {
    const current = !location && untyped.services[AUTHENTICATION_PATH] === registered
    if (current && untyped.get('defaultAuthentication') === registered.configKey) return registered
    return search.call(this, location)
  }
}
