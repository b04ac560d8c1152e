// Self-registration of an attendee from outside (storefront, API clients). The password chosen is stored as
// PENDING and the confirmation link mailed for this registration carries its id (server side): only whoever
// reads the mailbox can make it the password, so registering someone else's address first gains nothing
// (account pre-hijacking), while the owner keeps the password they chose. The answer is the same receipt for
// new, unverified and verified addresses.
import { randomBytes } from 'node:crypto'
import type { Application, MasterstageParams, ResolvedTenant } from '../app/declarations.ts'
import { trusted } from '../data/trusted-filter.ts'
import { rateLimited } from '../errors/codes.ts'
import { countHit, warnAndFailOpen } from '../rate-limit/count-hit.ts'
import {
  type RegistrationReceipt,
  registrationReceipt,
  sendExistingAccountNotice
} from './existing-account-notice.ts'
import { issueSignInLink } from './magic-link/issue-sign-in-link.ts'
import { REGISTRATION_EMAIL_RULE } from './magic-link/magic-link-limits.ts'
import { magicLinkTokenModel } from './magic-link/magic-link-token-model.ts'
import { hashPassword } from './password-hash.ts'
import { emailKeyOf, normalizeEmail, type PublicUser, type UserDocument } from './user-model.ts'

export interface RegistrationInput {
  email: string
  password: string
  name: string
  phone?: string
  company?: string
}

type InsertUser = (document: Partial<UserDocument>) => Promise<PublicUser>

/**
 * Every registration mails something: bounds how often one inbox can be written to, whatever the account.
 * Fails open like the other registration limit: sign-up keeps working while Redis is down.
 */
async function countRegistration(app: Application, subject: string): Promise<void> {
  const outcome = await countHit(
    app.get('access').rateLimiter,
    REGISTRATION_EMAIL_RULE,
    subject,
    warnAndFailOpen(() => app.get('logger'), 'registration limit unavailable, failing open', {
      code: 'REGISTRATION_LIMIT_UNAVAILABLE'
    })
  )
  if (outcome && !outcome.allowed) throw rateLimited(outcome.retryAfterSeconds)
}

export async function registerAttendee(
  app: Application,
  input: RegistrationInput,
  tenant: ResolvedTenant,
  params: MasterstageParams,
  insert: InsertUser
): Promise<RegistrationReceipt> {
  const email = normalizeEmail(input.email)
  await countRegistration(app, `${tenant.id}:${email}`)
  const pendingPasswordHash = await hashPassword(input.password)
  const pendingPasswordId = randomBytes(16).toString('base64url')
  const emailKey = emailKeyOf(email, 'attendee', [tenant.id])
  let user: { _id: unknown; email: string } | null
  try {
    const created = await insert({
      ...input,
      email,
      emailKey,
      role: 'attendee',
      tenantIds: [tenant.id],
      pendingPasswordHash,
      pendingPasswordId
    })
    user = { _id: created._id, email }
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error
    // Still unproven: the latest registration's password is the pending one, and only its link can confirm
    // it (earlier links still prove the mailbox, but set no password). Conditional, so a concurrent
    // confirmation is never overwritten.
    user = await app
      .get('access')
      .User.findOneAndUpdate(
        { emailKey, emailVerifiedAt: trusted({ $exists: false }) },
        { $set: { pendingPasswordHash, pendingPasswordId } },
        { returnDocument: 'after' }
      )
      .select('email')
      .lean<UserDocument>()
      .exec()
  }
  if (!user) {
    // A proven account is left as it is; its owner is told someone tried to sign up.
    sendExistingAccountNotice(app, email, params)
    return registrationReceipt(email)
  }
  const tokens = magicLinkTokenModel(app.get('mongoose'))
  // Not awaited, like the notice: the answer must not take longer for one kind of address than another.
  issueSignInLink(app, tokens, user, tenant, { kind: 'registration', pendingPasswordId }).catch(
    (error: unknown) =>
      app.get('logger')?.error(
        {
          code: 'REGISTRATION_LINK_EMAIL_FAILED',
          err: { message: (error as Error).message },
          tenantId: tenant.id
        },
        'registration confirmation email failed'
      )
  )
  return registrationReceipt(email)
}
