// Email + password login. Attendees log in within the tenant they registered with (from Host or X-Tenant);
// staff log in anywhere. Unknown emails cost one scrypt like known ones, and get the same answer.
import { AuthenticationBaseStrategy } from '@feathersjs/authentication'
import type { Application, MasterstageParams } from '../app/declarations.ts'
import { trusted } from '../data/trusted-filter.ts'
import { notAuthenticated, validationError } from '../errors/codes.ts'
import { accountSubjects, consumeAttempt } from './login-rate-limits.ts'
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
  // One query whatever the outcome, so timing does not tell which kind of account exists.
  const found = await User.find({ emailKey: trusted({ $in: keys }) })
    .select(`${extraFields} +emailKey`.trim())
    .lean<UserDocument[]>()
    .exec()
  for (const emailKey of keys) {
    const user = found.find((candidate) => candidate.emailKey === emailKey)
    if (user) return user
  }
  return null
}

export class TenantLocalStrategy extends AuthenticationBaseStrategy {
  async authenticate(data: any, params: MasterstageParams) {
    const app = this.app as Application
    const { email, password } = checkCredentialsShape(data)
    const tenantId = params.tenant?.id
    const accounts = accountSubjects(email, tenantId)
    const { limits } = app.get('access')
    await consumeAttempt(app, [
      ...accounts.map((subject) => ({ rule: limits.loginAccount, subject })),
      { rule: limits.loginIp, subject: params.ip ?? 'unknown-ip' }
    ])
    const user = await findLoginAccount(app, email, tenantId)
    const valid = user?.passwordHash
      ? await verifyPassword(password, user.passwordHash)
      : await verifyAgainstDummy(password)
    // An attendee's password works only once the address is proven (sign-in link or reset): otherwise
    // whoever registered someone else's email first could sign in to the account its owner later uses.
    // Same answer as a wrong password, so it reveals nothing about the account.
    if (!user || !valid || (user.role === 'attendee' && !user.emailVerifiedAt))
      throw notAuthenticated(INVALID_LOGIN)
    const { rateLimiter } = app.get('access')
    await Promise.all(
      accounts.map((subject) => rateLimiter.reset(limits.loginAccount, subject).catch(() => undefined))
    )
    return { authentication: { strategy: this.name ?? 'local' }, user: toPublicUser(user) }
  }
}
