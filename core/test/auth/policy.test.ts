// Unit tests of the access policy: tenant reach per role, rule evaluation, and who may grant what.
import { describe, expect, it } from 'vitest'
import type { AuthenticatedUser } from '../../src/app/declarations.ts'
import { canAccessTenant, canManageTenant, evaluateRule, refuseGrant } from '../../src/auth/policy.ts'

const user = (
  role: AuthenticatedUser['role'],
  extra: Partial<AuthenticatedUser> = {}
): AuthenticatedUser => ({
  _id: `u-${role}`,
  email: `${role}@x.test`,
  role,
  tenantIds: [],
  tokenVersion: 1,
  ...extra
})
const tenantA = { id: 'tA', agencyId: 'ag1' }
const tenantB = { id: 'tB', agencyId: 'ag2' }

describe('canAccessTenant', () => {
  it.each([
    ['platform_admin', {}, tenantB, true],
    ['agency_admin', { agencyId: 'ag1' }, tenantA, true],
    ['agency_admin', { agencyId: 'ag1' }, tenantB, false],
    ['agency_admin', {}, tenantA, false],
    ['host', { tenantIds: ['tA'] }, tenantA, true],
    ['host', { tenantIds: ['tA'] }, tenantB, false],
    ['sales_rep', { tenantIds: ['tA', 'tB'] }, tenantB, true],
    ['sales_rep', { tenantIds: [] }, tenantA, false],
    ['attendee', { tenantIds: ['tA'] }, tenantA, true],
    ['attendee', { tenantIds: ['tA'], agencyId: 'ag2' }, tenantB, false]
  ] as const)('%s %j on %j → %s', (role, extra, tenant, expected) => {
    expect(canAccessTenant(user(role, extra), tenant)).toBe(expected)
  })

  it('lets only platform and own-agency admins manage a tenant', () => {
    expect(canManageTenant(user('platform_admin'), tenantA)).toBe(true)
    expect(canManageTenant(user('agency_admin', { agencyId: 'ag1' }), tenantA)).toBe(true)
    expect(canManageTenant(user('agency_admin', { agencyId: 'ag2' }), tenantA)).toBe(false)
    expect(canManageTenant(user('host', { tenantIds: ['tA'] }), tenantA)).toBe(false)
  })
})

describe('evaluateRule', () => {
  it('refuses methods without a rule', () => {
    expect(() => evaluateRule(undefined, user('platform_admin'))).toThrow(/no access rule/)
  })
  it('allows public calls without a user', () => {
    expect(evaluateRule('public', undefined)).toEqual({})
  })
  it('needs a user for authenticated and role rules (401)', () => {
    expect(() => evaluateRule('authenticated', undefined)).toThrow(expect.objectContaining({ code: 401 }))
    expect(() => evaluateRule(['host'], undefined)).toThrow(expect.objectContaining({ code: 401 }))
  })
  it('checks roles (403)', () => {
    expect(evaluateRule(['host', 'sales_rep'], user('host'))).toEqual({})
    expect(() => evaluateRule(['host'], user('attendee'))).toThrow(expect.objectContaining({ code: 403 }))
  })
  it('narrows attendees to their own documents, staff listed in the same rule act tenant-wide', () => {
    const rule = { roles: ['attendee', 'host'] as const, own: 'userId' }
    expect(evaluateRule(rule, user('attendee'))).toEqual({ ownField: 'userId' })
    expect(evaluateRule(rule, user('host'))).toEqual({})
    expect(() => evaluateRule(rule, user('sales_rep'))).toThrow(expect.objectContaining({ code: 403 }))
  })
})

describe('refuseGrant', () => {
  const northAdmin = user('agency_admin', { agencyId: 'ag1' })
  const northTenants = ['tA', 'tA2']

  it('lets a platform admin grant anything except to itself', () => {
    const admin = user('platform_admin')
    expect(refuseGrant(admin, { role: 'platform_admin', tenantIds: [] }, [])).toBeUndefined()
    expect(refuseGrant(admin, { role: 'host', tenantIds: [] }, [], { ...admin, tenantIds: [] })).toMatch(
      /own/
    )
  })

  it('keeps agency admins inside their agency', () => {
    expect(
      refuseGrant(northAdmin, { role: 'host', agencyId: 'ag1', tenantIds: ['tA'] }, northTenants)
    ).toBeUndefined()
    expect(
      refuseGrant(northAdmin, { role: 'host', agencyId: 'ag2', tenantIds: ['tB'] }, northTenants)
    ).toMatch(/outside/)
    expect(
      refuseGrant(northAdmin, { role: 'agency_admin', agencyId: 'ag2', tenantIds: [] }, northTenants)
    ).toMatch(/outside/)
    expect(refuseGrant(northAdmin, { role: 'platform_admin', tenantIds: [] }, northTenants)).toMatch(
      /may not grant/
    )
    const southHost = { _id: 'h', role: 'host' as const, agencyId: 'ag2', tenantIds: ['tB'] }
    expect(
      refuseGrant(northAdmin, { role: 'host', agencyId: 'ag1', tenantIds: ['tA'] }, northTenants, southHost)
    ).toMatch(/outside your agency/)
  })

  it('lets nobody else grant', () => {
    for (const role of ['host', 'sales_rep', 'attendee'] as const) {
      expect(
        refuseGrant(user(role, { tenantIds: ['tA'] }), { role: 'attendee', tenantIds: ['tA'] }, [])
      ).toMatch(/may not grant/)
    }
  })
})
