// The tenant theme schema: brand copy stays free text under simple keys, but the keys apps read as
// settings (locale, timezone, currency) must be well formed, each refused as its own field error.
import { describe, expect, it } from 'vitest'
import { schemaErrors } from '../../src/tenancy/schema-validation.ts'
import { tenantCreateSchema, tenantPatchSchema } from '../../src/tenancy/tenant-schema.ts'

const themeWith = (copy: Record<string, unknown>) => ({
  theme: {
    colors: { primary: '#112233', background: '#ffffff', text: '#000000' },
    fonts: { heading: 'Georgia, serif', body: 'system-ui, sans-serif' },
    copy
  }
})
const errorPaths = (copy: Record<string, unknown>) =>
  schemaErrors(tenantPatchSchema, themeWith(copy)).map((error) => error.path)

describe('tenant theme copy', () => {
  it('accepts free texts and well-formed locale, timezone and currency', () => {
    expect(
      errorPaths({
        headline: 'Lift <em>heavy</em> "things"',
        'influencer.name': 'Ava',
        locale: 'en-GB',
        timezone: 'America/Argentina/Buenos_Aires',
        currency: 'GBP'
      })
    ).toEqual([])
    for (const locale of ['de', 'pt-BR', 'zh-Hant-TW', 'gsw-CH']) expect(errorPaths({ locale })).toEqual([])
    for (const timezone of ['UTC', 'Europe/London', 'Etc/GMT+5', 'America/Port-au-Prince', 'EST5EDT'])
      expect(errorPaths({ timezone })).toEqual([])
  })

  it('accepts every time zone and currency the runtime knows', () => {
    for (const timezone of Intl.supportedValuesOf('timeZone')) expect(errorPaths({ timezone })).toEqual([])
    for (const currency of Intl.supportedValuesOf('currency')) expect(errorPaths({ currency })).toEqual([])
  })

  it.each([
    [
      'a locale breaking out of an attribute',
      { locale: 'en"><script>alert(1)</script>' },
      ['theme.copy.locale']
    ],
    ['a locale with a space', { locale: 'en GB' }, ['theme.copy.locale']],
    ['an uppercase language', { locale: 'EN' }, ['theme.copy.locale']],
    ['a non-string locale', { locale: 7 }, ['theme.copy.locale']],
    ['a timezone with markup', { timezone: '<b>Europe/London</b>' }, ['theme.copy.timezone']],
    ['a timezone with spaces', { timezone: 'Central European Time' }, ['theme.copy.timezone']],
    ['a lowercase currency', { currency: 'usd' }, ['theme.copy.currency']],
    ['a currency name', { currency: 'dollars' }, ['theme.copy.currency']],
    [
      'all three at once, each as its field',
      { locale: 'english', timezone: 'UTC+1 hour', currency: '€' },
      ['theme.copy.currency', 'theme.copy.locale', 'theme.copy.timezone']
    ]
  ])('refuses %s', (_name, copy, paths) => {
    expect(errorPaths(copy).sort()).toEqual(paths)
  })

  it('applies on creation too', () => {
    const errors = schemaErrors(tenantCreateSchema, {
      slug: 'ok-slug',
      name: 'Brand',
      agencyId: 'a'.repeat(24),
      ...themeWith({ locale: '"><img src=x onerror=alert(1)>' })
    })
    expect(errors.map((error) => error.path)).toEqual(['theme.copy.locale'])
  })
})
