// Where sign-in and the tenant switcher send the browser: only paths on the dashboard, however the target
// is spelled (browsers strip tabs and newlines and read backslashes as slashes in a Location header).
import { describe, expect, it } from 'vitest'
import { OFF_SITE_REDIRECTS } from '../../core/test/support/off-site-redirects.ts'
import { safeRedirect } from '../src/lib/server/safe-redirect.ts'

describe('dashboard redirect targets', () => {
  it('keeps paths on the dashboard, with their query and fragment', () => {
    expect(safeRedirect('/team?role=host&page=2')).toBe('/team?role=host&page=2')
    expect(safeRedirect('/tenants/abc#brand')).toBe('/tenants/abc#brand')
    expect(safeRedirect('/')).toBe('/')
  })

  it.each(OFF_SITE_REDIRECTS)('refuses a %s target', (_, target) => {
    expect(safeRedirect(target)).toBe('/')
  })

  it('answers the fallback for a missing or non-string target', () => {
    expect(safeRedirect(null)).toBe('/')
    expect(safeRedirect(undefined, '/signin')).toBe('/signin')
    expect(safeRedirect({ toString: () => '/team' })).toBe('/')
  })

  it('answers the path the browser will follow', () => {
    expect(safeRedirect('/team\n?x=1')).toBe('/team?x=1')
    expect(safeRedirect('/a\\b')).toBe('/a/b')
    expect(safeRedirect('/a/../team')).toBe('/team')
  })
})
