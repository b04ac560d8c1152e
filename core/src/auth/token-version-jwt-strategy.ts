// JWT strategy that also refuses tokens whose `tv` claim is not the user's current tokenVersion, so a
// password change, role change or removal from a tenant revokes every token issued before it.
import { JWTStrategy } from '@feathersjs/authentication'
import type { Params } from '@feathersjs/feathers'
import type { Application } from '../app/declarations.ts'
import { notAuthenticated } from '../errors/codes.ts'
import { toPublicUser } from './user-model.ts'

const OBJECT_ID = /^[0-9a-f]{24}$/

export class TokenVersionJwtStrategy extends JWTStrategy {
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
