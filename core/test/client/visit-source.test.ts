// The visit's source a storefront hands to its landing sections: the page URL first, else the stored
// attribution, only values the API accepts.
import { describe, expect, it } from 'vitest'
import { visitSource } from '../../src/client/index.ts'

const page = (query = '') => new URL(`http://delta-dance.localhost:3000/${query}`)
const STORED = { utmSource: 'instagram', utmCampaign: 'spring', referrer: 'https://www.instagram.com/p/1/' }

describe('visitSource', () => {
  it('is the stored attribution when the page URL has none', () => {
    expect(visitSource(page(), STORED)).toEqual(STORED)
  })

  it("takes the page URL's UTM values as one campaign, never mixed with the stored one", () => {
    expect(visitSource(page('?utm_source=newsletter&ref=https://partner.test/list?id=9'), STORED)).toEqual({
      utmSource: 'newsletter',
      referrer: 'https://partner.test/list'
    })
  })

  it('keeps the stored referrer when the URL has UTM values but no ?ref=', () => {
    expect(visitSource(page('?utm_source=newsletter'), STORED)).toEqual({
      utmSource: 'newsletter',
      referrer: STORED.referrer
    })
  })

  it('is empty for a direct visit', () => {
    expect(visitSource(page())).toEqual({})
  })

  it.each([
    ['a UTM value with characters the API refuses', '?utm_source=a%26b%3Dc!'],
    ['markup', '?utm_campaign=%3Cscript%3E'],
    ['an over-long UTM value', `?utm_medium=${'x'.repeat(101)}`],
    ['a ?ref= that is no http(s) URL', '?ref=partner-x'],
    ['a javascript: ?ref=', '?ref=javascript:alert(1)'],
    ['an over-long ?ref=', `?ref=https://a.test/${'b'.repeat(600)}`]
  ])('leaves out %s', (_, query) => {
    expect(visitSource(page(query))).toEqual({})
  })

  it('drops stored values the API would refuse', () => {
    expect(visitSource(page(), { utmSource: 'a&b', referrer: 'ftp://x.test/' })).toEqual({})
  })
})
