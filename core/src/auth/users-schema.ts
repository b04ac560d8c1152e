// Request bodies of the users service. Access fields (role, agencyId, tenantIds) appear only in the
// admin-only bodies; anywhere else they are refused with a field error.
import { Type } from '@feathersjs/typebox'
import { ROLES } from './roles.ts'

const EMAIL = Type.String({ format: 'email', maxLength: 320 })
const PASSWORD = Type.String({ minLength: 10, maxLength: 1024 })
const NAME = Type.String({ minLength: 1, maxLength: 120 })
const PHONE = Type.String({ pattern: '^\\+?[0-9 ()./-]{5,30}$' })
const COMPANY = Type.String({ maxLength: 200 })
const OBJECT_ID = Type.String({ pattern: '^[0-9a-f]{24}$' })

/** Fields describing what a user may do; only admins set them, through createStaff/setAccess. */
export const ACCESS_FIELDS = [
  'role',
  'agencyId',
  'tenantIds',
  'tokenVersion',
  'passwordHash',
  'emailKey'
] as const

export const registrationSchema = Type.Object(
  {
    email: EMAIL,
    password: PASSWORD,
    name: NAME,
    phone: Type.Optional(PHONE),
    company: Type.Optional(COMPANY)
  },
  { additionalProperties: false }
)

export const profilePatchSchema = Type.Object(
  {
    name: Type.Optional(NAME),
    phone: Type.Optional(PHONE),
    company: Type.Optional(COMPANY),
    password: Type.Optional(PASSWORD),
    currentPassword: Type.Optional(Type.String({ maxLength: 1024 }))
  },
  { additionalProperties: false }
)

const ROLE = Type.Union(ROLES.map((role) => Type.Literal(role)))

export const accessGrantSchema = Type.Object(
  {
    userId: OBJECT_ID,
    role: ROLE,
    agencyId: Type.Optional(OBJECT_ID),
    tenantIds: Type.Optional(Type.Array(OBJECT_ID, { maxItems: 200, uniqueItems: true }))
  },
  { additionalProperties: false }
)

export const staffCreateSchema = Type.Object(
  {
    email: EMAIL,
    name: NAME,
    role: ROLE,
    agencyId: Type.Optional(OBJECT_ID),
    tenantIds: Type.Optional(Type.Array(OBJECT_ID, { maxItems: 200, uniqueItems: true })),
    password: Type.Optional(PASSWORD),
    phone: Type.Optional(PHONE),
    company: Type.Optional(COMPANY)
  },
  { additionalProperties: false }
)

export const usersQueryFields = ['role', 'email', '$limit', '$skip'] as const
