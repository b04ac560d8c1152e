// The `magic-link` authentication strategy: `{ strategy: 'magic-link', token }` on the tenant the link was
// issued for. One atomic delete redeems the token, so two concurrent redemptions yield exactly one session.
// Redeeming proves the mailbox: the first time, the address becomes verified, any password set while it was
// unverified is cleared and tokenVersion bumped, so whoever registered the address first (possibly not its
// owner: account pre-hijacking) loses both the password and every session.
import { AuthenticationBaseStrategy } from '@feathersjs/authentication'
import type { Model } from 'mongoose'
import type { Application, MasterstageParams } from '../../app/declarations.ts'
import { trusted } from '../../data/trusted-filter.ts'
import { notAuthenticated, validationError } from '../../errors/codes.ts'
import { writeWithPlatformEvent } from '../../tenancy/platform-events.ts'
import { consumeAttempt } from '../login-rate-limits.ts'
import { accessChangedEvent, userAccessChanged } from '../user-access-changed.ts'
import { toPublicUser, type UserDocument } from '../user-model.ts'
import { MAGIC_LINK_REDEEM_IP_RULE } from './magic-link-limits.ts'
import { hashMagicLinkToken, type MagicLinkTokenDocument } from './magic-link-token-model.ts'

export const MAGIC_LINK_STRATEGY = 'magic-link'

/** First proof of the mailbox: verified, unverified password cleared, earlier tokens revoked. */
async function verifyEmail(app: Application, user: UserDocument): Promise<UserDocument> {
  const { User } = app.get('access')
  const written = await writeWithPlatformEvent(
    app,
    User.db,
    (session) =>
      // Conditional on still unverified: of two concurrent first redemptions only one bumps the version.
      User.findOneAndUpdate(
        { _id: user._id, emailVerifiedAt: trusted({ $exists: false }) },
        { $set: { emailVerifiedAt: new Date() }, $unset: { passwordHash: 1 }, $inc: { tokenVersion: 1 } },
        { returnDocument: 'after', session }
      )
        .lean<UserDocument>()
        .exec(),
    (changed) =>
      changed ? accessChangedEvent(String(changed._id), 'password', changed.tokenVersion) : undefined
  )
  if (!written) return (await User.findById(user._id).lean<UserDocument>().exec()) ?? user
  await userAccessChanged(app, String(written._id), 'password')
  return written
}
const INVALID_LINK = 'This sign-in link is invalid, expired or already used'

export class MagicLinkStrategy extends AuthenticationBaseStrategy {
  tokens: Model<MagicLinkTokenDocument>
  constructor(tokens: Model<MagicLinkTokenDocument>) {
    super()
    this.tokens = tokens
  }

  async authenticate(data: any, params: MasterstageParams) {
    const app = this.app as Application
    const token = data?.token
    if (typeof token !== 'string' || token.length < 20 || token.length > 200) {
      throw validationError('Invalid sign-in link', [
        { path: 'token', message: 'must be a sign-in link token' }
      ])
    }
    await consumeAttempt(app, [{ rule: MAGIC_LINK_REDEEM_IP_RULE, subject: params.ip ?? 'unknown-ip' }])
    const tenantId = params.tenant?.id
    // A link only works on the tenant it was requested on: the data layer filters by the request's tenant.
    if (!tenantId) throw notAuthenticated(INVALID_LINK)
    const redeemed = await this.tokens
      .findOneAndDelete({ tokenHash: hashMagicLinkToken(token), expiresAt: trusted({ $gt: new Date() }) })
      .lean<MagicLinkTokenDocument>()
      .exec()
    if (!redeemed) throw notAuthenticated(INVALID_LINK)
    const user = await app.get('access').User.findById(redeemed.userId).lean<UserDocument>().exec()
    // The account may have been removed from the tenant since the link was sent.
    if (user?.role !== 'attendee' || !user.tenantIds.includes(tenantId)) {
      throw notAuthenticated(INVALID_LINK)
    }
    const verified = user.emailVerifiedAt ? user : await verifyEmail(app, user)
    return { authentication: { strategy: this.name ?? MAGIC_LINK_STRATEGY }, user: toPublicUser(verified) }
  }
}
