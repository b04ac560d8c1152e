// Core's attribution rules: which URL values a visit's source may keep (the storefront's touch and the
// registration API apply the same), only values the API accepts, dropped rather than cut or mended.
import { describe, expect, it } from 'vitest'
import { referrerValue, utmOfUrl, utmValue } from '../../src/client/index.ts'

const page = (query = '') => new URL(`http://delta-dance.localhost:3000/${query}`)

describe('attribution rules', () => {
  it("take a URL's UTM values, trimmed, as one campaign", () => {
    expect(utmOfUrl(page('?utm_source=%20newsletter%20&utm_campaign=summer&utm_term=x'))).toEqual({
      utmSource: 'newsletter',
      utmCampaign: 'summer'
    })
  })

  it('find nothing in a URL without UTM values', () => {
    expect(utmOfUrl(page())).toEqual({})
    expect(utmOfUrl(page('?ref=https://partner.test/'))).toEqual({})
  })

  it.each([
    ['a UTM value with characters the API refuses', '?utm_source=a%26b%3Dc!'],
    ['markup', '?utm_campaign=%3Cscript%3E'],
    ['an over-long UTM value', `?utm_medium=${'x'.repeat(101)}`]
  ])('leave out %s', (_, query) => {
    expect(utmOfUrl(page(query))).toEqual({})
  })

  it('reduce a referrer to origin + path', () => {
    expect(referrerValue('https://partner.test/list?id=9#x')).toBe('https://partner.test/list')
  })

  it.each([
    ['no http(s) URL', 'partner-x'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['another scheme', 'ftp://x.test/'],
    ['an over-long URL', `https://a.test/${'b'.repeat(600)}`]
  ])('drop a referrer that is %s', (_, raw) => {
    expect(referrerValue(raw)).toBeUndefined()
  })

  it('drop stored values the API would refuse', () => {
    expect(utmValue('a&b')).toBeUndefined()
  })
})
