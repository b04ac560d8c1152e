// Plugin section redirects stay on the storefront, however the target is spelled: browsers strip tabs
// and newlines and read backslashes as slashes before following a Location header.
import { describe, expect, it } from 'vitest'
import { OFF_SITE_REDIRECTS } from '../../core/test/support/off-site-redirects.ts'
import { safeRedirect } from '../src/lib/plugins/safe-redirect.ts'

const target = (redirect: unknown) => safeRedirect({ status: 303, redirect } as never)
const REFUSED = [...OFF_SITE_REDIRECTS, ['carriage return between the slashes', '/\r/evil.com'] as const]

describe('plugin section redirect targets', () => {
  it('keeps paths on this storefront, with their query and fragment', () => {
    expect(target('/registered?masterclass=abc')).toBe('/registered?masterclass=abc')
    expect(target('/a/b#top')).toBe('/a/b#top')
    expect(target('/')).toBe('/')
  })

  it.each(REFUSED)('refuses a %s target', (_, redirect) => {
    expect(target(redirect)).toBeNull()
  })

  it('refuses targets that are not strings', () => {
    expect(target(undefined)).toBeNull()
    expect(target(42)).toBeNull()
    expect(target({ toString: () => '/x' })).toBeNull()
  })

  it('answers the path the browser will follow, without control characters', () => {
    expect(target('/thanks\n?x=1')).toBe('/thanks?x=1')
    expect(target('/a\\b')).toBe('/a/b')
    expect(target('/a/../b')).toBe('/b')
  })
})
