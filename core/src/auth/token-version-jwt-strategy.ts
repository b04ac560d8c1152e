// JWT strategy that also refuses tokens whose `tv` claim is not the user's current tokenVersion, so a
// password change, role change or removal from a tenant revokes every token issued before it.
import { JWTStrategy } from '@feathersjs/authentication'
import type { Params } from '@feathersjs/feathers'
import type { Application } from '../app/declarations.ts'
import { notAuthenticated } from '../errors/codes.ts'
import { toPublicUser } from './user-model.ts'

const OBJECT_ID = /^[0-9a-f]{24}$/

const SPLIT_HEADER = /(\S+)\s+(\S+)/

export class TokenVersionJwtStrategy extends JWTStrategy {
  private configurationMemo?: { source: unknown; value: any; schemes: RegExp[] }

  // Built once per settings object instead of on every read (two merges per read, several reads per request).
  override get configuration(): any {
    return this.memo().value
  }

  private memo() {
    const source = this.authentication?.configuration
    if (this.configurationMemo?.source !== source) {
      const value = super.configuration
      const schemes = (value.schemes as string[]).map((scheme) => new RegExp(scheme, 'i'))
      this.configurationMemo = { source, value, schemes }
    }
    return this.configurationMemo!
  }

  /** Feathers' parse, with the scheme patterns compiled once instead of per request. */
  override async parse(req: any) {
    return this.parseNow(req)
  }

  /** parse() without a promise (the platform front's authentication stage). */
  parseNow(req: any): { strategy: string; accessToken: string } | null {
    const { value: configuration, schemes } = this.memo()
    const headerValue = req.headers?.[String(configuration.header).toLowerCase()]
    if (!headerValue || typeof headerValue !== 'string') return null
    const [, scheme, schemeValue] = headerValue.match(SPLIT_HEADER) || []
    const hasScheme = scheme && schemes.some((pattern) => pattern.test(scheme))
    if (scheme && !hasScheme) return null
    return { strategy: this.name!, accessToken: hasScheme ? schemeValue : headerValue }
  }

  // Loaded from the model, not through the users service: the service's own guard would authenticate
  // again and recurse. The per-process cache is dropped on every access change (user-access-changed.ts).
  override async getEntity(id: string, _params: Params) {
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw notAuthenticated('Invalid token subject')
    const access = (this.app as Application).get('access')
    const user = await access.users.get(id, async () => {
      const stored = await access.User.findById(id).lean().exec()
      return stored ? toPublicUser(stored) : null
    })
    if (!user) throw notAuthenticated('User no longer exists')
    return user
  }

  override async authenticate(authentication: any, params: Params) {
    if (typeof authentication?.accessToken !== 'string') throw notAuthenticated('No access token')
    const result: any = await super.authenticate(authentication, params)
    const claimed = result.authentication?.payload?.tv
    if (typeof claimed !== 'number' || claimed !== result.user.tokenVersion) {
      throw notAuthenticated('Token has been revoked')
    }
    return result
  }
}
