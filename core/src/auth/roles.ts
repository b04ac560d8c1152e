// The platform's roles. Who may act on which tenant is decided in auth/policy.ts, nowhere else.
export const ROLES = ['platform_admin', 'agency_admin', 'host', 'sales_rep', 'attendee'] as const
export type Role = (typeof ROLES)[number]

/** Staff roles work through the dashboard; attendees through a tenant's storefront. */
export const STAFF_ROLES: readonly Role[] = ['platform_admin', 'agency_admin', 'host', 'sales_rep']

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}
