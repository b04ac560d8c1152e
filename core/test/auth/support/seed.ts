// Test fixture: two agencies, three tenants and one user per role, created through internal service calls.
import type { Application } from '../../../src/app/declarations.ts'
import {
  type SeededTenant,
  seedAgency,
  seedAttendee,
  seedStaff,
  seedTenant,
  TEST_PASSWORD
} from '../../support/seed-platform.ts'

export const PASSWORD = TEST_PASSWORD
export type { SeededTenant }

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
  const north = await seedAgency(app, 'northstar', 'Northstar Talent')
  const south = await seedAgency(app, 'southwind', 'Southwind Media')
  const [ava, marco, zed] = await Promise.all([
    seedTenant(app, { slug: 'ava-fit', agencyId: north._id }),
    seedTenant(app, { slug: 'money-marco', agencyId: north._id }),
    seedTenant(app, { slug: 'zed-cooks', agencyId: south._id })
  ])
  const users: Seed['users'] = {
    platformAdmin: await seedStaff(app, { email: 'root@platform.test', role: 'platform_admin' }),
    northAdmin: await seedStaff(app, {
      email: 'admin@northstar.test',
      role: 'agency_admin',
      agencyId: north._id
    }),
    southAdmin: await seedStaff(app, {
      email: 'admin@southwind.test',
      role: 'agency_admin',
      agencyId: south._id
    }),
    avaHost: await seedStaff(app, { email: 'ava@ava.test', role: 'host', tenantIds: [ava._id] }),
    marcoHost: await seedStaff(app, { email: 'marco@marco.test', role: 'host', tenantIds: [marco._id] }),
    zedHost: await seedStaff(app, { email: 'zed@zed.test', role: 'host', tenantIds: [zed._id] }),
    avaRep: await seedStaff(app, { email: 'rep@northstar.test', role: 'sales_rep', tenantIds: [ava._id] }),
    avaAttendee: await seedAttendee(app, ava._id, { email: 'fan@mail.test' }),
    marcoAttendee: await seedAttendee(app, marco._id, { email: 'fan2@mail.test' })
  }
  return { agencies: { north: north._id, south: south._id }, tenants: { ava, marco, zed }, users }
}
