// `magic-link-requests.create({ email })`: emails an attendee of the addressed tenant a single-use, short-lived
// sign-in link. The answer and its timing are the same whether or not the address has an account.
import { Type } from '@feathersjs/typebox'
import type { Model } from 'mongoose'
import type { Application, MasterstageParams } from '../../app/declarations.ts'
import { validationError } from '../../errors/codes.ts'
import { schemaErrors } from '../../tenancy/schema-validation.ts'
import { tenantRequired } from '../guard-service-call.ts'
import { consumeAttempt } from '../login-rate-limits.ts'
import { emailKeyOf, normalizeEmail, type UserDocument } from '../user-model.ts'
import { issueSignInLink } from './issue-sign-in-link.ts'
import { MAGIC_LINK_EMAIL_RULE, MAGIC_LINK_IP_RULE } from './magic-link-limits.ts'
import type { MagicLinkTokenDocument } from './magic-link-token-model.ts'

export const MAGIC_LINK_REQUESTS_PATH = 'magic-link-requests'

const requestSchema = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 320 }) },
  { additionalProperties: false }
)

/** The one answer every accepted request gets. */
export interface MagicLinkReceipt {
  requested: true
}

export class MagicLinkRequestsService {
  app: Application
  tokens: Model<MagicLinkTokenDocument>
  constructor(app: Application, tokens: Model<MagicLinkTokenDocument>) {
    this.app = app
    this.tokens = tokens
  }

  async create(data: unknown, params: MasterstageParams): Promise<MagicLinkReceipt> {
    const errors =
      data && typeof data === 'object' && !Array.isArray(data)
        ? schemaErrors(requestSchema, data)
        : [{ path: '', message: 'must be an object' }]
    if (errors.length > 0) throw validationError('Invalid sign-in link request', errors)
    const tenant = params.tenant
    if (!tenant) throw tenantRequired()
    const email = normalizeEmail((data as { email: string }).email)
    await consumeAttempt(this.app, [
      { rule: MAGIC_LINK_EMAIL_RULE, subject: `${tenant.id}:${email}` },
      { rule: MAGIC_LINK_IP_RULE, subject: params.ip ?? 'unknown-ip' }
    ])
    // Attendee accounts of this tenant only: staff sign in on the dashboard.
    const user = await this.app
      .get('access')
      .User.findOne({ emailKey: emailKeyOf(email, 'attendee', [tenant.id]) })
      .select('email role tenantIds')
      .lean<UserDocument>()
      .exec()
    if (user) {
      // Not awaited: storing and mailing must not make known addresses answer slower than unknown ones.
      issueSignInLink(this.app, this.tokens, user, tenant, { kind: 'sign-in' }).catch((error: unknown) =>
        this.app.get('logger')?.error(
          {
            code: 'MAGIC_LINK_EMAIL_FAILED',
            err: { message: (error as Error).message },
            tenantId: tenant.id
          },
          'sign-in link email failed'
        )
      )
    }
    return { requested: true }
  }
}
