// Password reset by email: a request mails a single-use token (stored only as its SHA-256, expiring), and
// confirming it sets the new password and bumps tokenVersion, which revokes every earlier session.

import { createHash, randomBytes } from 'node:crypto'
import { Type } from '@feathersjs/typebox'
import mongoose from 'mongoose'
import type { Application, MasterstageParams } from '../app/declarations.ts'
import { validationError } from '../errors/codes.ts'
import { writeWithPlatformEvent } from '../tenancy/platform-events.ts'
import { schemaErrors } from '../tenancy/schema-validation.ts'
import { accountSubjects, consumeAttempt } from './login-rate-limits.ts'
import { hashPassword } from './password-hash.ts'
import { findLoginAccount } from './tenant-local-strategy.ts'
import { accessChangedEvent, userAccessChanged } from './user-access-changed.ts'
import { normalizeEmail, type UserDocument } from './user-model.ts'

export const PASSWORD_RESET_REQUESTS_PATH = 'password-reset-requests'
export const PASSWORD_RESETS_PATH = 'password-resets'
export const RESET_TOKEN_TTL_MS = 30 * 60 * 1000

const requestSchema = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 320 }) },
  { additionalProperties: false }
)
const confirmSchema = Type.Object(
  {
    token: Type.String({ minLength: 20, maxLength: 200 }),
    password: Type.String({ minLength: 10, maxLength: 1024 })
  },
  { additionalProperties: false }
)

function checked<T>(schema: Parameters<typeof schemaErrors>[0], data: unknown): T {
  const errors =
    data && typeof data === 'object' && !Array.isArray(data)
      ? schemaErrors(schema, data)
      : [{ path: '', message: 'must be an object' }]
  if (errors.length > 0) throw validationError('Invalid request body', errors)
  return data as T
}

export const hashResetToken = (token: string) => createHash('sha256').update(token).digest('hex')

export class PasswordResetRequestsService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  /** Always answers the same, whether or not the account exists. */
  async create(data: unknown, params: MasterstageParams) {
    const { email: rawEmail } = checked<{ email: string }>(requestSchema, data)
    const email = normalizeEmail(rawEmail)
    const tenant = params.tenant
    const { limits } = this.app.get('access')
    await consumeAttempt(this.app, [
      ...accountSubjects(email, tenant?.id).map((subject) => ({ rule: limits.resetAccount, subject })),
      { rule: limits.resetIp, subject: params.ip ?? 'unknown-ip' }
    ])
    const user = await findLoginAccount(this.app, email, tenant?.id, '')
    if (user) {
      const token = randomBytes(32).toString('base64url')
      await this.app
        .get('access')
        .User.updateOne(
          { _id: user._id },
          {
            $set: {
              resetTokenHash: hashResetToken(token),
              resetExpiresAt: new Date(Date.now() + RESET_TOKEN_TTL_MS)
            }
          }
        )
        .exec()
      // Not awaited: the answer must not take longer for existing accounts than for unknown ones.
      this.send(user, token, tenant?.slug).catch((error) =>
        this.app
          .get('logger')
          ?.error(
            { err: { message: (error as Error).message }, userId: String(user._id) },
            'reset email failed'
          )
      )
    }
    return { requested: true }
  }

  private async send(user: UserDocument, token: string, tenantSlug: string | undefined) {
    const config = this.app.get('config')
    const base = user.role === 'attendee' ? config.storefrontUrl : config.dashboardUrl
    const link = `${base.replace(/\/$/, '')}/reset-password?token=${token}${tenantSlug && user.role === 'attendee' ? `&tenant=${tenantSlug}` : ''}`
    await this.app.get('email').send({
      to: user.email,
      subject: 'Reset your password',
      text: `Someone asked to reset the password of your account.\n\nOpen this link within 30 minutes to choose a new one:\n${link}\n\nIf this was not you, ignore this email.`,
      ...(user.role === 'attendee' && { tenantId: user.tenantIds[0] }),
      idempotencyKey: `password-reset:${hashResetToken(token)}`
    })
  }
}

export class PasswordResetsService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  async create(data: unknown, params: MasterstageParams) {
    const { token, password } = checked<{ token: string; password: string }>(confirmSchema, data)
    await consumeAttempt(this.app, [
      { rule: this.app.get('access').limits.resetIp, subject: `confirm:${params.ip ?? 'unknown-ip'}` }
    ])
    const passwordHash = await hashPassword(password)
    const { User } = this.app.get('access')
    // One atomic update consumes the token (a second or concurrent use finds nothing), in one transaction
    // with its user.access.changed event.
    const updated = await writeWithPlatformEvent(
      this.app,
      User.db,
      async (session) => {
        const written = await User.findOneAndUpdate(
          { resetTokenHash: hashResetToken(token), resetExpiresAt: mongoose.trusted({ $gt: new Date() }) },
          {
            // The reset link was read from the mailbox: that proves the address.
            $set: { passwordHash, emailVerifiedAt: new Date() },
            // Whatever registration was still pending is superseded by the password chosen here.
            $unset: { resetTokenHash: 1, resetExpiresAt: 1, pendingPasswordHash: 1, pendingPasswordId: 1 },
            $inc: { tokenVersion: 1 }
          },
          { returnDocument: 'after', session }
        )
          .lean<UserDocument>()
          .exec()
        if (!written)
          throw validationError('Invalid password reset', [
            { path: 'token', message: 'is invalid or expired' }
          ])
        return written
      },
      (written) => accessChangedEvent(String(written._id), 'password', written.tokenVersion)
    )
    await userAccessChanged(this.app, String(updated._id), 'password')
    return { reset: true }
  }
}
