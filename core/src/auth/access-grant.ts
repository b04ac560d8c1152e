// Turns an admin's requested role/agency/tenants into a consistent grant: tenants must exist and belong to
// one agency, which becomes the user's agency; each role gets exactly the memberships it can have.
import mongoose from 'mongoose'
import type { Application } from '../app/declarations.ts'
import { type FieldError, validationError } from '../errors/codes.ts'
import type { AccessGrant } from './policy.ts'
import type { Role } from './roles.ts'

export async function normalizeGrant(
  app: Application,
  input: { role: Role; agencyId?: string; tenantIds?: readonly string[] }
): Promise<AccessGrant> {
  const { Agency, Tenant } = app.get('access').tenancy
  const tenantIds = [...new Set(input.tenantIds ?? [])]
  const errors: FieldError[] = []
  const fail = (path: string, message: string) => errors.push({ path, message })

  if (input.role === 'platform_admin') {
    if (input.agencyId) fail('agencyId', 'platform admins belong to no agency')
    if (tenantIds.length > 0) fail('tenantIds', 'platform admins have no tenant memberships')
    if (errors.length > 0) throw validationError('Invalid access grant', errors)
    return { role: input.role, tenantIds: [] }
  }
  if (input.role === 'agency_admin') {
    if (!input.agencyId) fail('agencyId', 'is required for agency admins')
    else if (!(await Agency.exists({ _id: input.agencyId }).exec())) fail('agencyId', 'no such agency')
    if (tenantIds.length > 0) fail('tenantIds', 'agency admins reach every tenant of their agency')
    if (errors.length > 0) throw validationError('Invalid access grant', errors)
    return { role: input.role, agencyId: input.agencyId, tenantIds: [] }
  }
  // host and attendee: exactly one tenant; sales rep: one or more assigned tenants.
  if (input.role === 'sales_rep' ? tenantIds.length === 0 : tenantIds.length !== 1) {
    fail('tenantIds', input.role === 'sales_rep' ? 'needs at least one tenant' : 'needs exactly one tenant')
    throw validationError('Invalid access grant', errors)
  }
  const tenants = await Tenant.find({ _id: mongoose.trusted({ $in: tenantIds }) }, { agencyId: 1 })
    .lean()
    .exec()
  if (tenants.length !== tenantIds.length) fail('tenantIds', 'contains unknown tenants')
  const agencies = new Set(tenants.map((tenant) => tenant.agencyId))
  if (agencies.size > 1) fail('tenantIds', 'tenants must belong to one agency')
  const agencyId = [...agencies][0]
  if (input.agencyId && agencyId && input.agencyId !== agencyId)
    fail('agencyId', "must be the tenants' agency")
  if (errors.length > 0) throw validationError('Invalid access grant', errors)
  return { role: input.role, ...(input.role !== 'attendee' && agencyId && { agencyId }), tenantIds }
}
