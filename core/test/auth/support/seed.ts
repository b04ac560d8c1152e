// Test fixture: two agencies, three tenants and one user per role, created through internal service calls.
import type { Application } from '../../../src/app/declarations.ts'

export const PASSWORD = 'correct-horse-battery'

export interface SeededTenant {
  _id: string
  slug: string
  agencyId: string
}

export interface Seed {
  agencies: { north: string; south: string }
  tenants: { ava: SeededTenant; marco: SeededTenant; zed: SeededTenant }
  users: Record<
    | 'platformAdmin'
    | 'northAdmin'
    | 'southAdmin'
    | 'avaHost'
    | 'marcoHost'
    | 'zedHost'
    | 'avaRep'
    | 'avaAttendee'
    | 'marcoAttendee',
    { _id: string; email: string; tenant?: string }
  >
}

export async function seedAccess(app: Application): Promise<Seed> {
  const service = (path: string) => (app as any).service(path)
  const north = await service('agencies').create({ slug: 'northstar', name: 'Northstar Talent' })
  const south = await service('agencies').create({ slug: 'southwind', name: 'Southwind Media' })
  const tenant = (slug: string, agencyId: string) => service('tenants').create({ slug, name: slug, agencyId })
  const [ava, marco, zed] = await Promise.all([
    tenant('ava-fit', north._id),
    tenant('money-marco', north._id),
    tenant('zed-cooks', south._id)
  ])
  const staff = async (email: string, role: string, extra: Record<string, unknown>) =>
    service('users').createStaff({ email, name: email.split('@')[0], role, password: PASSWORD, ...extra })
  const attendee = async (email: string, tenantId: string) =>
    service('users').create({ email, name: 'Attendee', password: PASSWORD }, { tenant: { id: tenantId } })
  const created = {
    platformAdmin: await staff('root@platform.test', 'platform_admin', {}),
    northAdmin: await staff('admin@northstar.test', 'agency_admin', { agencyId: north._id }),
    southAdmin: await staff('admin@southwind.test', 'agency_admin', { agencyId: south._id }),
    avaHost: await staff('ava@ava.test', 'host', { tenantIds: [ava._id] }),
    marcoHost: await staff('marco@marco.test', 'host', { tenantIds: [marco._id] }),
    zedHost: await staff('zed@zed.test', 'host', { tenantIds: [zed._id] }),
    avaRep: await staff('rep@northstar.test', 'sales_rep', { tenantIds: [ava._id] }),
    avaAttendee: await attendee('fan@mail.test', ava._id),
    marcoAttendee: await attendee('fan2@mail.test', marco._id)
  }
  const users = Object.fromEntries(
    Object.entries(created).map(([key, user]: [string, any]) => [
      key,
      { _id: user._id, email: user.email, ...(user.role === 'attendee' && { tenant: user.tenantIds[0] }) }
    ])
  ) as Seed['users']
  const pick = (t: any): SeededTenant => ({ _id: t._id, slug: t.slug, agencyId: t.agencyId })
  return {
    agencies: { north: north._id, south: south._id },
    tenants: { ava: pick(ava), marco: pick(marco), zed: pick(zed) },
    users
  }
}
