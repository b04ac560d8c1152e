// Stores a single-use sign-in link for an attendee of one tenant and mails it: either a plain sign-in link
// (asked for on the sign-in page) or the confirmation of a registration, whose token record (never the URL)
// carries the registration's pendingPasswordId so that redeeming it confirms that registration's password.
import type { Model } from 'mongoose'
import type { Application, ResolvedTenant } from '../../app/declarations.ts'
import { runAsSystem } from '../../context/request-scope.ts'
import { MAGIC_LINK_TTL_MS } from './magic-link-limits.ts'
import {
  hashMagicLinkToken,
  type MagicLinkTokenDocument,
  newMagicLinkToken
} from './magic-link-token-model.ts'
import { tenantStorefrontUrl } from './tenant-storefront-url.ts'

export const SIGN_IN_LINK_SUBJECT = 'Your sign-in link'
export const REGISTRATION_LINK_SUBJECT = 'Confirm your email address'

export type SignInLinkPurpose = { kind: 'sign-in' } | { kind: 'registration'; pendingPasswordId: string }

function emailText(purpose: SignInLinkPurpose, link: string): string {
  const minutes = MAGIC_LINK_TTL_MS / 60_000
  if (purpose.kind === 'sign-in')
    return (
      `Open this link within ${minutes} minutes to sign in. It works once.\n\n${link}\n\n` +
      'If you did not ask for it, ignore this email: nobody can use it without access to your inbox.'
    )
  return (
    'Someone registered an account with this email address. If it was you, open this link ' +
    `within ${minutes} minutes to confirm your address and sign in; your password works from then on. ` +
    `It works once.\n\n${link}\n\n` +
    'If it was not you, ignore this email: without this link nobody can use an account with your address.'
  )
}

export async function issueSignInLink(
  app: Application,
  tokens: Model<MagicLinkTokenDocument>,
  user: { _id: unknown; email: string },
  tenant: ResolvedTenant,
  purpose: SignInLinkPurpose
): Promise<void> {
  const token = newMagicLinkToken()
  const tokenHash = hashMagicLinkToken(token)
  // The tenant-scoped data layer stamps the token with this tenant, whichever service issues it.
  await runAsSystem('sign-in-link', tenant.id, () =>
    tokens.create({
      tokenHash,
      userId: String(user._id),
      ...(purpose.kind === 'registration' && { pendingPasswordId: purpose.pendingPasswordId }),
      expiresAt: new Date(Date.now() + MAGIC_LINK_TTL_MS)
    })
  )
  const link = tenantStorefrontUrl(app.get('config'), tenant.slug, '/signin/link', { token })
  await app.get('email').send({
    to: user.email,
    subject: purpose.kind === 'sign-in' ? SIGN_IN_LINK_SUBJECT : REGISTRATION_LINK_SUBJECT,
    text: emailText(purpose, link),
    tenantId: tenant.id,
    idempotencyKey: `magic-link:${tokenHash}`
  })
}
