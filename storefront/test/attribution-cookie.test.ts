// The attribution cookie's value: written touches read back unchanged; anything else is ignored.
import { describe, expect, it } from 'vitest'
import { decodeTouch, encodeTouch } from '../src/lib/server/attribution/cookie-value.ts'
import type { Touch } from '../src/lib/server/attribution/touch.ts'

const TOUCH: Touch = {
  utmSource: 'instagram',
  utmCampaign: 'primavera ñ',
  referrer: 'https://www.instagram.com/p/abc/',
  at: '2026-03-01T10:00:00.000Z'
}
const raw = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')

describe('attribution cookie value', () => {
  it('round-trips a touch in cookie-safe characters', () => {
    const value = encodeTouch(TOUCH)
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeTouch(value)).toEqual(TOUCH)
  })

  it('stays well under the 4 KB cookie limit at the caps', () => {
    const big: Touch = {
      utmSource: 'ñ'.repeat(100),
      utmMedium: 'ñ'.repeat(100),
      utmCampaign: 'ñ'.repeat(100),
      referrer: `https://a.test/${'b'.repeat(485)}`,
      at: TOUCH.at
    }
    expect(encodeTouch(big).length).toBeLessThan(3_000)
    expect(decodeTouch(encodeTouch(big))).toEqual(big)
  })

  it('reads a cookie of earlier versions without the landing path they kept', () => {
    expect(decodeTouch(raw({ ...TOUCH, landingPath: '/?token=x' }))).toEqual(TOUCH)
  })

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not base64url', 'a b;c'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['an array', raw([TOUCH])],
    ['without a time', raw({ ...TOUCH, at: undefined })],
    ['with an invalid time', raw({ ...TOUCH, at: 'yesterday' })],
    ['with a non-string UTM', raw({ ...TOUCH, utmSource: { $ne: null } })],
    ['with markup in a UTM', raw({ ...TOUCH, utmSource: '<b>x</b>' })],
    ['with an over-long UTM', raw({ ...TOUCH, utmSource: 'x'.repeat(101) })],
    ['with a referrer query string', raw({ ...TOUCH, referrer: 'https://a.test/?email=ana@b.test' })],
    ['with a non-http referrer', raw({ ...TOUCH, referrer: 'javascript:alert(1)' })],
    ['with a UTM value the registration API refuses', raw({ ...TOUCH, utmSource: 'spring!' })],
    ['with no source at all', raw({ at: TOUCH.at })],
    ['far too long', 'A'.repeat(5_000)]
  ])('ignores a value %s', (_, value) => {
    expect(decodeTouch(value as string | undefined)).toBeUndefined()
  })
})
