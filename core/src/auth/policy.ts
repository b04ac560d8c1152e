// The one place that decides who may act on which tenant and call which service method. Services and the
// call guard ask here; nothing else compares roles.
import mongoose from 'mongoose'
import type { AuthenticatedUser, ResolvedTenant } from '../app/declarations.ts'
import { forbidden, notAuthenticated } from '../errors/codes.ts'
import type { AccessRule } from '../plugins/plugin-manifest.ts'
import type { Role } from './roles.ts'

type TenantRef = Pick<ResolvedTenant, 'id' | 'agencyId'>

/** Platform admin: all; agency admin: its agency's tenants; host, sales rep, attendee: their tenantIds. */
export function canAccessTenant(user: AuthenticatedUser, tenant: TenantRef): boolean {
  switch (user.role) {
    case 'platform_admin':
      return true
    case 'agency_admin':
      return user.agencyId !== undefined && user.agencyId === tenant.agencyId
    default:
      return user.tenantIds.includes(tenant.id)
  }
}

/** Tenant configuration (brand, domains, plugins): platform admins, and agency admins for their agency. */
export function canManageTenant(user: AuthenticatedUser, tenant: TenantRef): boolean {
  if (user.role === 'platform_admin') return true
  return user.role === 'agency_admin' && user.agencyId === tenant.agencyId
}

export function canManageAgency(user: AuthenticatedUser, agencyId: string): boolean {
  if (user.role === 'platform_admin') return true
  return user.role === 'agency_admin' && user.agencyId === agencyId
}

/** Agency-wide read views (reads across every tenant of the agency; writes refused). */
export function canUseAgencyView(user: AuthenticatedUser | undefined): boolean {
  return user?.role === 'agency_admin' && user.agencyId !== undefined
}

export interface RuleDecision {
  /** Set when the caller only sees documents whose `ownField` equals their user id. */
  ownField?: string
}

/**
 * Evaluates an external call's AccessRule. Throws 401 when the rule needs a user and there is none,
 * 403 when the user's role is not allowed. `own` narrows attendees to their documents; staff roles listed
 * in the same rule act tenant-wide (their tenant membership is checked separately).
 */
export function evaluateRule(
  rule: AccessRule | undefined,
  user: AuthenticatedUser | undefined
): RuleDecision {
  // A method exposed without a rule is refused: forgetting a rule must never open a door.
  if (rule === undefined) throw forbidden('This method has no access rule')
  if (rule === 'public') return {}
  if (!user) throw notAuthenticated()
  if (rule === 'authenticated') return {}
  const roles: readonly Role[] = Array.isArray(rule) ? rule : (rule as { roles: readonly Role[] }).roles
  if (!roles.includes(user.role)) throw forbidden(`Role ${user.role} may not call this method`)
  const own = Array.isArray(rule) ? undefined : (rule as { own?: string }).own
  if (own && user.role === 'attendee') return { ownField: own }
  return {}
}

/** Roles an actor may hand out. Nobody grants platform_admin except a platform admin; nobody grants to self. */
export function assignableRoles(actor: AuthenticatedUser): readonly Role[] {
  if (actor.role === 'platform_admin')
    return ['platform_admin', 'agency_admin', 'host', 'sales_rep', 'attendee']
  if (actor.role === 'agency_admin') return ['agency_admin', 'host', 'sales_rep', 'attendee']
  return []
}

export interface AccessGrant {
  role: Role
  agencyId?: string
  tenantIds: readonly string[]
}

/**
 * Whether `actor` may give `grant` to a user (new or existing, whose current access is `current`).
 * `agencyTenantIds` are the tenants of the actor's agency (for agency admins).
 * Returns a reason when refused.
 */
export function refuseGrant(
  actor: AuthenticatedUser,
  grant: AccessGrant,
  agencyTenantIds: readonly string[],
  current?: AccessGrant & { _id: string }
): string | undefined {
  if (current && current._id === actor._id) return 'Users cannot change their own role or memberships'
  if (!assignableRoles(actor).includes(grant.role))
    return `Role ${actor.role} may not grant role ${grant.role}`
  if (actor.role === 'platform_admin') return undefined
  // Agency admins work only inside their agency: the target's old and new access must both be theirs.
  const inAgency = (access: AccessGrant) =>
    access.role === 'agency_admin'
      ? access.agencyId === actor.agencyId
      : access.tenantIds.every((id) => agencyTenantIds.includes(id)) &&
        (access.agencyId === undefined || access.agencyId === actor.agencyId)
  if (current && (current.role === 'platform_admin' || !inAgency(current)))
    return 'User is outside your agency'
  if (!inAgency(grant)) return 'Grant reaches outside your agency'
  return undefined
}

/**
 * MongoDB filter of the users `viewer` may see. Platform admins: all; agency admins: their agency's staff and
 * the members of its tenants; host and sales rep: members of their tenants; attendee: only themselves.
 */
// Operator values are marked trusted: the connection sanitizes filters, and these come from core, not clients.
export function visibleUsersFilter(
  viewer: AuthenticatedUser,
  agencyTenantIds: readonly string[]
): Record<string, unknown> {
  switch (viewer.role) {
    case 'platform_admin':
      return {}
    case 'agency_admin':
      return {
        $or: [{ agencyId: viewer.agencyId }, { tenantIds: mongoose.trusted({ $in: [...agencyTenantIds] }) }]
      }
    case 'host':
    case 'sales_rep':
      return { tenantIds: mongoose.trusted({ $in: [...viewer.tenantIds] }) }
    default:
      return { _id: viewer._id }
  }
}

/** Whether `viewer` may edit another user's profile fields (name, phone, company); self always may. */
export function canEditProfileOf(viewer: AuthenticatedUser, targetId: string): boolean {
  return viewer._id === targetId || viewer.role === 'platform_admin' || viewer.role === 'agency_admin'
}
