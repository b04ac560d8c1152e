// The users service: attendee self-registration in a tenant, profile reads and edits, and admin-only staff
// creation and access changes. Access fields are never writable by the user they describe.

import type { Application, AuthenticatedUser, MasterstageParams } from '../app/declarations.ts'
import { isDuplicateKeyError as isDuplicateKey } from '../data/duplicate-key.ts'
import { conflict, type FieldError, forbidden, notFound, validationError } from '../errors/codes.ts'
import { writeWithPlatformEvent } from '../tenancy/platform-events.ts'
import { plainQuery } from '../tenancy/query-guard.ts'
import { schemaErrors } from '../tenancy/schema-validation.ts'
import { normalizeGrant } from './access-grant.ts'
import { type RegistrationInput, registerAttendee } from './attendee-registration.ts'
import type { RegistrationReceipt } from './existing-account-notice.ts'
import { tenantRequired } from './guard-service-call.ts'
import { hashPassword, verifyPassword } from './password-hash.ts'
import { canEditProfileOf, refuseGrant, visibleUsersFilter } from './policy.ts'
import type { Role } from './roles.ts'
import { accessChangedEvent, userAccessChanged } from './user-access-changed.ts'
import { emailKeyOf, normalizeEmail, type PublicUser, toPublicUser, type UserDocument } from './user-model.ts'
import {
  ACCESS_FIELDS,
  accessGrantSchema,
  profilePatchSchema,
  registrationSchema,
  staffCreateSchema
} from './users-schema.ts'

export const USERS_PATH = 'users'
const OBJECT_ID = /^[0-9a-f]{24}$/

/** Validates a body: access fields get a dedicated message, everything else the schema's. */
function validateBody<T>(schema: Parameters<typeof schemaErrors>[0], data: unknown, allowAccess: boolean): T {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw validationError('Invalid request body', [{ path: '', message: 'must be an object' }])
  }
  const errors: FieldError[] = []
  if (!allowAccess) {
    for (const field of ACCESS_FIELDS) {
      if (field in data)
        errors.push({ path: field, message: 'is managed by administrators and cannot be set here' })
    }
  }
  const rest = Object.fromEntries(
    Object.entries(data).filter(([key]) => allowAccess || !(ACCESS_FIELDS as readonly string[]).includes(key))
  )
  errors.push(...schemaErrors(schema, rest))
  if (errors.length > 0) throw validationError('Invalid request body', errors)
  return rest as T
}

export class UsersService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  private get User() {
    return this.app.get('access').User
  }

  private async visibility(viewer: AuthenticatedUser | undefined): Promise<Record<string, unknown>> {
    if (!viewer) return {}
    const agencyTenants =
      viewer.role === 'agency_admin' && viewer.agencyId
        ? await this.app.get('access').tenants.agencyTenantIds(viewer.agencyId)
        : []
    return visibleUsersFilter(viewer, agencyTenants)
  }

  private async load(id: unknown, params: MasterstageParams): Promise<UserDocument> {
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw notFound('User not found')
    const filter = { $and: [await this.visibility(params.user), { _id: id }] }
    const user = await this.User.findOne(filter).lean<UserDocument>().exec()
    if (!user) throw notFound('User not found')
    return user
  }

  async find(params: MasterstageParams) {
    const { filter, limit, skip } = plainQuery(params.query, ['role', 'email'])
    if (filter.email) filter.email = normalizeEmail(filter.email)
    const conditions: Record<string, unknown>[] = [filter, await this.visibility(params.user)]
    if (params.tenant) conditions.push({ tenantIds: params.tenant.id })
    const query = { $and: conditions }
    const [total, data] = await Promise.all([
      this.User.countDocuments(query).exec(),
      this.User.find(query).sort({ email: 1 }).skip(skip).limit(limit).lean<UserDocument[]>().exec()
    ])
    return { total, limit, skip, data: data.map(toPublicUser) }
  }

  async get(id: string, params: MasterstageParams): Promise<PublicUser> {
    return toPublicUser(await this.load(id, params))
  }

  /**
   * Attendee registration in the addressed tenant; role and memberships are the platform's to set. Clients
   * get the same 201 receipt whether the email was free or already registered here, and the password only
   * works once the emailed link proves the address (attendee-registration.ts). Internal callers (seeding,
   * scripts) vouch for the address: they get the created user, verified, and a 409 for an existing email.
   */
  async create(data: unknown, params: MasterstageParams): Promise<PublicUser | RegistrationReceipt> {
    const input = validateBody<RegistrationInput>(registrationSchema, data, false)
    if (!params.tenant) throw tenantRequired()
    if (params.provider)
      return registerAttendee(this.app, input, params.tenant, params, (user) => this.insert(user))
    const email = normalizeEmail(input.email)
    const tenantIds = [params.tenant.id]
    return this.insert({
      ...input,
      email,
      emailKey: emailKeyOf(email, 'attendee', tenantIds),
      role: 'attendee',
      tenantIds,
      passwordHash: await hashPassword(input.password),
      emailVerifiedAt: new Date()
    })
  }

  /**
   * Admin-only: creates a staff member (or an attendee) with an explicit, checked grant. Internal callers
   * that only hold an address someone typed into a public form pass `emailUnproven: true` (the account
   * then stays unverified until its owner proves the address).
   */
  async createStaff(
    data: unknown,
    params: MasterstageParams & { emailUnproven?: boolean }
  ): Promise<PublicUser> {
    const input = validateBody<{
      email: string
      name: string
      role: Role
      agencyId?: string
      tenantIds?: string[]
      password?: string
      phone?: string
      company?: string
    }>(staffCreateSchema, data, true)
    const grant = await normalizeGrant(this.app, input)
    await this.assertMayGrant(params, grant)
    const email = normalizeEmail(input.email)
    const { password, ...profile } = input
    return this.insert({
      ...profile,
      ...grant,
      // An admin (or a brand pack) names the address of someone they know.
      ...(params.emailUnproven !== true && { emailVerifiedAt: new Date() }),
      tenantIds: [...grant.tenantIds],
      email,
      emailKey: emailKeyOf(email, grant.role, grant.tenantIds),
      ...(password && { passwordHash: await hashPassword(password) })
    })
  }

  /** Admin-only: replaces a user's role and memberships; revokes their tokens and live channels. */
  async setAccess(data: unknown, params: MasterstageParams): Promise<PublicUser> {
    const input = validateBody<{ userId: string; role: Role; agencyId?: string; tenantIds?: string[] }>(
      accessGrantSchema,
      data,
      true
    )
    const current = await this.load(input.userId, params)
    const grant = await normalizeGrant(this.app, input)
    await this.assertMayGrant(params, grant, current)
    if ((current.role === 'attendee') !== (grant.role === 'attendee')) {
      // Attendee accounts are per tenant; staff accounts are platform-wide: a different kind of account.
      throw validationError('Invalid access grant', [
        { path: 'role', message: 'cannot convert between attendee and staff accounts' }
      ])
    }
    const reason = current.role !== grant.role ? 'role' : 'membership'
    const updated = await writeWithPlatformEvent(
      this.app,
      this.User.db,
      async (session) => {
        const written = await this.User.findOneAndUpdate(
          // Matching the token version makes two concurrent grants a 409 instead of a silent overwrite.
          { _id: current._id, tokenVersion: current.tokenVersion },
          {
            $set: {
              role: grant.role,
              tenantIds: [...grant.tenantIds],
              emailKey: emailKeyOf(current.email, grant.role, grant.tenantIds),
              ...(grant.agencyId && { agencyId: grant.agencyId })
            },
            ...(grant.agencyId ? {} : { $unset: { agencyId: 1 } }),
            $inc: { tokenVersion: 1 }
          },
          { returnDocument: 'after', session }
        )
          .lean<UserDocument>()
          .exec()
          .catch((error) => {
            // Moving an attendee to a tenant where the email is already registered.
            if (isDuplicateKey(error))
              throw conflict('An account with this email already exists there', { field: 'tenantIds' })
            throw error
          })
        if (!written) throw conflict('The user changed meanwhile; retry')
        return written
      },
      (written) => accessChangedEvent(String(written._id), reason, written.tokenVersion)
    )
    await userAccessChanged(this.app, String(current._id), reason)
    return toPublicUser(updated)
  }

  async patch(id: string, data: unknown, params: MasterstageParams): Promise<PublicUser> {
    const input = validateBody<{
      name?: string
      phone?: string
      company?: string
      password?: string
      currentPassword?: string
    }>(profilePatchSchema, data, false)
    const target = await this.load(id, params)
    const viewer = params.user
    if (viewer && !canEditProfileOf(viewer, String(target._id)))
      throw forbidden('You may only edit your own profile')
    const { password, currentPassword, ...profile } = input
    if (password !== undefined) return this.changePassword(target, password, currentPassword, params)
    const updated = await this.User.findByIdAndUpdate(
      target._id,
      { $set: profile },
      { returnDocument: 'after' }
    )
      .lean<UserDocument>()
      .exec()
    if (!updated) throw notFound('User not found')
    // Authenticated requests read the user from a per-process cache: show them the new profile at once.
    await this.app.get('access').invalidations.publish('user', String(updated._id))
    return toPublicUser(updated)
  }

  async remove(id: string, params: MasterstageParams): Promise<PublicUser> {
    const target = await this.load(id, params)
    if (params.user) {
      const reason = refuseGrant(params.user, target, await this.actorAgencyTenants(params.user), {
        ...target,
        _id: String(target._id)
      })
      if (reason) throw forbidden(reason)
    }
    await writeWithPlatformEvent(
      this.app,
      this.User.db,
      (session) => this.User.deleteOne({ _id: target._id }, { session }).exec(),
      () => accessChangedEvent(String(target._id), 'removed', target.tokenVersion + 1)
    )
    await userAccessChanged(this.app, String(target._id), 'removed')
    return toPublicUser(target)
  }

  private async changePassword(
    target: UserDocument,
    password: string,
    currentPassword: string | undefined,
    params: MasterstageParams
  ): Promise<PublicUser> {
    // Only the user changes their own password, proving they know the current one; admins use reset emails.
    if (params.user && params.user._id !== String(target._id))
      throw forbidden('Only the user can change their password')
    const stored = await this.User.findById(target._id).select('+passwordHash').lean<UserDocument>().exec()
    if (params.provider !== undefined) {
      const ok =
        typeof currentPassword === 'string' &&
        stored?.passwordHash &&
        (await verifyPassword(currentPassword, stored.passwordHash))
      if (!ok)
        throw validationError('Invalid password change', [
          { path: 'currentPassword', message: 'is not correct' }
        ])
    }
    const passwordHash = await hashPassword(password)
    const updated = await writeWithPlatformEvent(
      this.app,
      this.User.db,
      async (session) => {
        const written = await this.User.findByIdAndUpdate(
          target._id,
          { $set: { passwordHash }, $inc: { tokenVersion: 1 } },
          { returnDocument: 'after', session }
        )
          .lean<UserDocument>()
          .exec()
        if (!written) throw notFound('User not found')
        return written
      },
      (written) => accessChangedEvent(String(written._id), 'password', written.tokenVersion)
    )
    await userAccessChanged(this.app, String(target._id), 'password')
    return toPublicUser(updated)
  }

  private async actorAgencyTenants(actor: AuthenticatedUser): Promise<string[]> {
    return actor.role === 'agency_admin' && actor.agencyId
      ? this.app.get('access').tenants.agencyTenantIds(actor.agencyId)
      : []
  }

  private async assertMayGrant(
    params: MasterstageParams,
    grant: Awaited<ReturnType<typeof normalizeGrant>>,
    current?: UserDocument
  ): Promise<void> {
    const actor = params.user
    if (!actor) return // internal call (scripts, seeding): the platform itself
    const reason = refuseGrant(
      actor,
      grant,
      await this.actorAgencyTenants(actor),
      current && { ...current, _id: String(current._id) }
    )
    if (reason) throw forbidden(reason)
  }

  /** Stores the user and its user.created event in one transaction: both, or neither. */
  private async insert(document: Partial<UserDocument>): Promise<PublicUser> {
    try {
      const created = await writeWithPlatformEvent(
        this.app,
        this.User.db,
        async (session) => {
          const [stored] = await this.User.create([document], { session })
          return toPublicUser(stored.toObject())
        },
        (user) => ({
          name: 'user.created',
          payload: { userId: user._id, role: user.role, email: user.email },
          id: `user.created:${user._id}`
        })
      )
      return created
    } catch (error) {
      if (isDuplicateKey(error))
        throw conflict('An account with this email already exists', { field: 'email' })
      throw error
    }
  }
}
