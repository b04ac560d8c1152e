// Email + password login. Attendees log in within the tenant they registered with (from Host or X-Tenant);
// staff log in anywhere. Unknown emails cost one scrypt like known ones, and get the same answer.
import { AuthenticationBaseStrategy } from '@feathersjs/authentication'
import type { Application, MasterstageParams } from '../app/declarations.ts'
import { notAuthenticated, validationError } from '../errors/codes.ts'
import { accountSubject, consumeAttempt } from './login-rate-limits.ts'
import { verifyAgainstDummy, verifyPassword } from './password-hash.ts'
import { emailKeyOf, normalizeEmail, toPublicUser, type UserDocument } from './user-model.ts'

const INVALID_LOGIN = 'Invalid email or password'

export function checkCredentialsShape(data: any): { email: string; password: string } {
  const errors = []
  if (typeof data?.email !== 'string' || data.email.trim() === '' || data.email.length > 320) {
    errors.push({ path: 'email', message: 'must be a non-empty string' })
  }
  if (typeof data?.password !== 'string' || data.password === '' || data.password.length > 1024) {
    errors.push({ path: 'password', message: 'must be a non-empty string' })
  }
  if (errors.length > 0) throw validationError('Invalid login request', errors)
  return { email: normalizeEmail(data.email), password: data.password }
}

/** Finds the account a login addresses: the tenant's attendee first, then a staff account. */
export async function findLoginAccount(
  app: Application,
  email: string,
  tenantId: string | undefined,
  extraFields = '+passwordHash'
): Promise<UserDocument | null> {
  const { User } = app.get('access')
  const keys = tenantId
    ? [emailKeyOf(email, 'attendee', [tenantId]), emailKeyOf(email, 'host', [])]
    : [emailKeyOf(email, 'host', [])]
  for (const emailKey of keys) {
    const user = await User.findOne({ emailKey }).select(extraFields).lean<UserDocument>().exec()
    if (user) return user
  }
  return null
}

export class TenantLocalStrategy extends AuthenticationBaseStrategy {
  async authenticate(data: any, params: MasterstageParams) {
    const app = this.app as Application
    const { email, password } = checkCredentialsShape(data)
    const tenantId = params.tenant?.id
    const account = accountSubject(email, tenantId)
    const { limits } = app.get('access')
    await consumeAttempt(app, [
      { rule: limits.loginAccount, subject: account },
      { rule: limits.loginIp, subject: params.ip ?? 'unknown-ip' }
    ])
    const user = await findLoginAccount(app, email, tenantId)
    const valid = user?.passwordHash
      ? await verifyPassword(password, user.passwordHash)
      : await verifyAgainstDummy(password)
    if (!user || !valid) throw notAuthenticated(INVALID_LOGIN)
    await app
      .get('access')
      .rateLimiter.reset(limits.loginAccount, account)
      .catch(() => undefined)
    return { authentication: { strategy: this.name ?? 'local' }, user: toPublicUser(user) }
  }
}
