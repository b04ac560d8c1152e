// The users collection: staff (unique email platform-wide) and attendees (unique email per tenant) share
// it; `emailKey` carries that rule in one unique index. Secret fields (data/secret-fields.ts `secret: true`)
// are never selected by default and never serialized.
import { type Connection, type Model, Schema, type Types } from 'mongoose'
import type { AuthenticatedUser } from '../app/declarations.ts'
import type { Role } from './roles.ts'
import { ROLES } from './roles.ts'

export interface UserDocument {
  _id: Types.ObjectId
  email: string
  /** `staff:<email>` or `attendee:<tenantId>:<email>`: the uniqueness rule as one indexed value. */
  emailKey: string
  name: string
  phone?: string
  company?: string
  role: Role
  agencyId?: string
  tenantIds: string[]
  passwordHash?: string
  /**
   * When the owner of `email` proved they read its mailbox (a redeemed sign-in link or password reset), or
   * the account was created by an admin or seeding. Unset: anyone may have registered the address.
   */
  emailVerifiedAt?: Date
  /**
   * The password of the latest self-registration, unusable until the link mailed for that registration (its
   * token carries `pendingPasswordId`) is redeemed: only the mailbox owner's own choice becomes the password.
   */
  pendingPasswordHash?: string
  /** Random id of the pending password; a later registration replaces it, orphaning earlier links' claim. */
  pendingPasswordId?: string
  /** Part of every JWT (`tv`); bumping it revokes all of the user's tokens. */
  tokenVersion: number
  resetTokenHash?: string
  resetExpiresAt?: Date
  createdAt: Date
  updatedAt: Date
}

/** Fields that never leave the server, whatever the caller asks for. */
export const USER_SECRET_FIELDS = [
  'passwordHash',
  'pendingPasswordHash',
  'pendingPasswordId',
  'resetTokenHash',
  'resetExpiresAt',
  'emailKey'
] as const

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function emailKeyOf(email: string, role: Role, tenantIds: readonly string[]): string {
  return role === 'attendee' ? `attendee:${tenantIds[0]}:${email}` : `staff:${email}`
}

const userSchema = new Schema<UserDocument>(
  {
    email: { type: String, required: true },
    emailKey: { type: String, required: true, unique: true, select: false, secret: true },
    name: { type: String, required: true },
    phone: { type: String },
    company: { type: String },
    role: { type: String, required: true, enum: ROLES as unknown as string[] },
    agencyId: { type: String, index: true },
    tenantIds: { type: [String], default: [], index: true },
    passwordHash: { type: String, select: false, secret: true },
    emailVerifiedAt: { type: Date },
    pendingPasswordHash: { type: String, select: false, secret: true },
    pendingPasswordId: { type: String, select: false, secret: true },
    tokenVersion: { type: Number, default: 1 },
    resetTokenHash: { type: String, select: false, secret: true, index: true, sparse: true },
    resetExpiresAt: { type: Date, select: false, secret: true }
  },
  {
    timestamps: true,
    toJSON: {
      // Second line of defence: even a document loaded with +passwordHash serializes without secrets.
      transform(_doc, ret: Record<string, unknown>) {
        for (const field of USER_SECRET_FIELDS) delete ret[field]
        return ret
      }
    }
  }
)

export function userModel(connection: Connection): Model<UserDocument> {
  return (connection.models.User as Model<UserDocument>) ?? connection.model('User', userSchema, 'users')
}

/** The public shape of a user (API responses, params.user). */
export interface PublicUser extends AuthenticatedUser {
  name: string
  phone?: string
  company?: string
  createdAt?: string
  updatedAt?: string
}

export function toPublicUser(user: Omit<UserDocument, 'passwordHash'> | Record<string, any>): PublicUser {
  const source = user as UserDocument
  return {
    _id: String(source._id),
    email: source.email,
    name: source.name,
    ...(source.phone !== undefined && { phone: source.phone }),
    ...(source.company !== undefined && { company: source.company }),
    role: source.role,
    ...(source.agencyId !== undefined && source.agencyId !== null && { agencyId: source.agencyId }),
    tenantIds: [...(source.tenantIds ?? [])],
    tokenVersion: source.tokenVersion,
    ...(source.createdAt && { createdAt: new Date(source.createdAt).toISOString() }),
    ...(source.updatedAt && { updatedAt: new Date(source.updatedAt).toISOString() })
  }
}
