// Plugin section redirects stay on the storefront, however the target is spelled: browsers strip tabs
// and newlines and read backslashes as slashes before following a Location header.
import { describe, expect, it } from 'vitest'
import { safeRedirect } from '../src/lib/plugins/safe-redirect.ts'

const target = (redirect: unknown) => safeRedirect({ status: 303, redirect } as never)

describe('plugin section redirect targets', () => {
  it('keeps paths on this storefront, with their query and fragment', () => {
    expect(target('/registered?masterclass=abc')).toBe('/registered?masterclass=abc')
    expect(target('/a/b#top')).toBe('/a/b#top')
    expect(target('/')).toBe('/')
  })

  it.each([
    ['protocol-relative', '//evil.com/'],
    ['tab between the slashes', '/\t/evil.com'],
    ['newline between the slashes', '/\n/evil.com'],
    ['carriage return between the slashes', '/\r/evil.com'],
    ['backslash as the second slash', '/\\evil.com'],
    ['backslash then tab', '/\\\t\\evil.com'],
    ['absolute URL', 'https://evil.com/'],
    ['scheme-relative with credentials', '//user@evil.com'],
    ['javascript URL', 'javascript:alert(1)'],
    ['relative path', 'evil.com'],
    ['empty', '']
  ])('refuses a %s target', (_, redirect) => {
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
