// The `magic-link` authentication strategy: `{ strategy: 'magic-link', token }` on the tenant the link was
// issued for. One atomic delete redeems the token, so two concurrent redemptions yield exactly one session.
// Redeeming proves the mailbox: the first time, the address becomes verified and tokenVersion bumps. A link
// mailed by the latest registration makes that registration's pending password the password; any other link
// drops every password chosen while unverified, so whoever registered the address without owning it
// (account pre-hijacking) gets neither a working password nor a session.
import { AuthenticationBaseStrategy } from '@feathersjs/authentication'
import type { Model } from 'mongoose'
import type { Application, MasterstageParams } from '../../app/declarations.ts'
import { trusted } from '../../data/trusted-filter.ts'
import { conflict, notAuthenticated, validationError } from '../../errors/codes.ts'
import { writeWithPlatformEvent } from '../../tenancy/platform-events.ts'
import { consumeAttempt } from '../login-rate-limits.ts'
import { accessChangedEvent, userAccessChanged } from '../user-access-changed.ts'
import { toPublicUser, type UserDocument } from '../user-model.ts'
import { MAGIC_LINK_REDEEM_IP_RULE } from './magic-link-limits.ts'
import { hashMagicLinkToken, type MagicLinkTokenDocument } from './magic-link-token-model.ts'

export const MAGIC_LINK_STRATEGY = 'magic-link'

/**
 * The update that proves the mailbox of `current`: verified, and either the pending password this link's
 * registration set becomes the password, or every password chosen while unverified is dropped. tokenVersion
 * bumps either way: nothing issued before the address was proven survives.
 */
function verificationUpdate(current: UserDocument, linkPendingPasswordId: string | undefined) {
  const confirms =
    linkPendingPasswordId !== undefined &&
    current.pendingPasswordId === linkPendingPasswordId &&
    current.pendingPasswordHash !== undefined
  return {
    $set: { emailVerifiedAt: new Date(), ...(confirms && { passwordHash: current.pendingPasswordHash }) },
    $unset: { pendingPasswordHash: 1, pendingPasswordId: 1, ...(!confirms && { passwordHash: 1 }) },
    $inc: { tokenVersion: 1 }
  }
}

/** First proof of the mailbox, as one conditional update on the state it was computed from. */
async function verifyEmail(
  app: Application,
  userId: UserDocument['_id'],
  linkPendingPasswordId: string | undefined
): Promise<UserDocument | null> {
  const { User } = app.get('access')
  // A registration may replace the pending password between the read and the write: then the write matches
  // nothing and is computed again from the new state (a handful of rounds at most: registrations are limited).
  for (let round = 0; round < 5; round++) {
    const current = await User.findById(userId)
      .select('+pendingPasswordHash +pendingPasswordId')
      .lean<UserDocument>()
      .exec()
    if (!current || current.emailVerifiedAt) return current
    const written = await writeWithPlatformEvent(
      app,
      User.db,
      (session) =>
        User.findOneAndUpdate(
          {
            _id: userId,
            // Of two concurrent first redemptions only one matches, so only one bumps the version.
            emailVerifiedAt: trusted({ $exists: false }),
            pendingPasswordId: current.pendingPasswordId ?? trusted({ $exists: false })
          },
          verificationUpdate(current, linkPendingPasswordId),
          { returnDocument: 'after', session }
        )
          .lean<UserDocument>()
          .exec(),
      (changed) =>
        changed ? accessChangedEvent(String(changed._id), 'password', changed.tokenVersion) : undefined
    )
    if (written) {
      await userAccessChanged(app, String(written._id), 'password')
      return written
    }
  }
  throw conflict('The account changed meanwhile; retry')
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
    const verified = user.emailVerifiedAt
      ? user
      : await verifyEmail(app, user._id, redeemed.pendingPasswordId)
    if (!verified) throw notAuthenticated(INVALID_LINK)
    return { authentication: { strategy: this.name ?? MAGIC_LINK_STRATEGY }, user: toPublicUser(verified) }
  }
}
