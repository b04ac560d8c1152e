// Test seeding: agencies, tenants (with plugins enabled), staff per role and attendees, created through the
// platform's own internal service calls (hashing, validation, outbox events), never by writing documents.
import type { Application } from '../../src/app/declarations.ts'
import type { Role } from '../../src/auth/roles.ts'

/** The password every seeded user gets (tests log in with it). */
export const TEST_PASSWORD = 'correct-horse-battery'

export interface SeededAgency {
  _id: string
  slug: string
}

export interface SeededTenant {
  _id: string
  slug: string
  agencyId: string
}

export interface SeededUser {
  _id: string
  email: string
}

/** A plugin to enable on a seeded tenant: its name, or its name with per-tenant settings and secrets. */
export type PluginEnablement =
  | string
  | { name: string; settings?: Record<string, unknown>; secrets?: Record<string, unknown> }

export interface TenantSeed {
  slug: string
  agencyId: string
  name?: string
  theme?: Record<string, unknown>
  /** Enabled in this order after the tenant is created. */
  plugins?: readonly PluginEnablement[]
}

export interface StaffSeed {
  email: string
  role: Exclude<Role, 'attendee'>
  password?: string
  name?: string
  agencyId?: string
  tenantIds?: readonly string[]
}

const service = (app: Application, path: string) => (app as any).service(path)

export async function seedAgency(
  app: Application,
  slug: string,
  name = `Agency ${slug}`
): Promise<SeededAgency> {
  const agency = await service(app, 'agencies').create({ slug, name })
  return { _id: String(agency._id), slug: agency.slug }
}

export async function enablePlugin(
  app: Application,
  tenantId: string,
  plugin: PluginEnablement
): Promise<void> {
  const { name, ...config } = typeof plugin === 'string' ? { name: plugin } : plugin
  await service(app, 'tenants').enablePlugin({ tenantId, plugin: name, ...config })
}

export async function seedTenant(app: Application, seed: TenantSeed): Promise<SeededTenant> {
  const tenant = await service(app, 'tenants').create({
    slug: seed.slug,
    name: seed.name ?? seed.slug,
    agencyId: seed.agencyId,
    ...(seed.theme && { theme: seed.theme })
  })
  for (const plugin of seed.plugins ?? []) await enablePlugin(app, String(tenant._id), plugin)
  return { _id: String(tenant._id), slug: tenant.slug, agencyId: String(tenant.agencyId) }
}

export async function seedStaff(app: Application, seed: StaffSeed): Promise<SeededUser> {
  const { password = TEST_PASSWORD, name = seed.email.split('@')[0], ...rest } = seed
  const user = await service(app, 'users').createStaff({ ...rest, name, password })
  return { _id: String(user._id), email: user.email }
}

/** An attendee registers with one tenant (the internal create, as registration does). */
export async function seedAttendee(
  app: Application,
  tenantId: string,
  seed: { email: string; name?: string; password?: string }
): Promise<SeededUser & { tenant: string }> {
  const user = await service(app, 'users').create(
    { email: seed.email, name: seed.name ?? 'Attendee', password: seed.password ?? TEST_PASSWORD },
    { tenant: { id: tenantId } }
  )
  return { _id: String(user._id), email: user.email, tenant: String(user.tenantIds[0]) }
}
