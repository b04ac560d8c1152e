// The dashboard's own navigation by role; plugin entries are added from the registry per tenant.
import type { Role } from '@masterstage/core/auth/roles.ts'

const ADMINS: readonly Role[] = ['platform_admin', 'agency_admin']

const CORE_NAV: { label: string; href: string; roles: readonly Role[] }[] = [
  { label: 'Home', href: '/', roles: ['platform_admin', 'agency_admin', 'host', 'sales_rep'] },
  { label: 'Tenants', href: '/tenants', roles: ADMINS },
  { label: 'Onboard a tenant', href: '/tenants/new', roles: ADMINS },
  { label: 'Team', href: '/team', roles: ADMINS }
]

export function coreNav(role: Role) {
  return CORE_NAV.filter((entry) => entry.roles.includes(role)).map(({ label, href }) => ({ label, href }))
}

export function isAdmin(role: Role | undefined): boolean {
  return role !== undefined && ADMINS.includes(role)
}
