// What a storefront request says about its source: utm_* values and an external Referer, sanitized.

import { MAX_REFERRER_LENGTH, UTM_VALUE, utmValue } from '@masterstage/core/client'
import { describe, expect, it } from 'vitest'
import {
  externalReferrer,
  referredFromOwnHost,
  touchOf,
  untaggedUrl
} from '../src/lib/server/attribution/touch.ts'

const NOW = new Date('2026-03-01T10:00:00.000Z')
const OWN = 'delta-dance.localhost'
const visit = (path: string, referer: string | null = null) =>
  touchOf({ url: new URL(`http://${OWN}:3000${path}`), referer, now: NOW })

describe('external referrer', () => {
  it('keeps another host as origin + path, without query string or fragment', () => {
    expect(externalReferrer('https://www.instagram.com/p/abc/?igshid=x&email=ana%40b.test#top', OWN)).toBe(
      'https://www.instagram.com/p/abc/'
    )
  })

  it('drops credentials in the URL', () => {
    expect(externalReferrer('https://user:secret@blog.example.test/post', OWN)).toBe(
      'https://blog.example.test/post'
    )
  })

  it('treats the storefront own host as internal, whatever the port, scheme or case', () => {
    expect(externalReferrer('http://delta-dance.localhost:3000/signin', OWN)).toBeUndefined()
    expect(externalReferrer('https://DELTA-DANCE.localhost/', OWN)).toBeUndefined()
  })

  it('counts a sibling tenant of the same base domain as external', () => {
    expect(externalReferrer('http://other.localhost:3000/', OWN)).toBe('http://other.localhost:3000/')
  })

  it.each([
    ['not a URL', 'instagram'],
    ['another scheme', 'android-app://com.google.android.gm/'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['nothing', '']
  ])('ignores %s', (_, referer) => {
    expect(externalReferrer(referer, OWN)).toBeUndefined()
  })

  it('drops a referrer over the API limit rather than cut it (a cut path names another page)', () => {
    const atLimit = `https://blog.example.test/${'a'.repeat(MAX_REFERRER_LENGTH - 26)}`
    expect(externalReferrer(atLimit, OWN)).toBe(atLimit)
    expect(externalReferrer(`${atLimit}a?q=1`, OWN)).toBeUndefined()
    expect(externalReferrer(`https://blog.example.test/${'a'.repeat(2_000)}`, OWN)).toBeUndefined()
  })
})

describe('own host', () => {
  it('is the storefront host whatever the port, scheme, case or trailing dot', () => {
    expect(referredFromOwnHost('http://delta-dance.localhost:3000/signin', OWN)).toBe(true)
    expect(referredFromOwnHost('https://DELTA-DANCE.localhost./', OWN)).toBe(true)
  })

  it('is not another host, a missing Referer or one that is not a URL', () => {
    expect(referredFromOwnHost('http://other.localhost:3000/', OWN)).toBe(false)
    expect(referredFromOwnHost(null, OWN)).toBe(false)
    expect(referredFromOwnHost('delta-dance.localhost', OWN)).toBe(false)
  })
})

describe('utm values', () => {
  it('trims them', () => {
    expect(utmValue('  instagram ')).toBe('instagram')
    expect(utmValue('primavera ñ 2026/03_a+b%20.x-y')).toBe('primavera ñ 2026/03_a+b%20.x-y')
  })

  it('keeps only values the registration API accepts, never a cut or mended one', () => {
    for (const value of ['x'.repeat(101), 'spring!', 'a&b', 'a=b', '"quoted"', '<script>', 'a\nb', 'a\tb']) {
      expect(utmValue(value)).toBeUndefined()
      expect(UTM_VALUE.test(value)).toBe(false)
    }
    expect(utmValue('x'.repeat(100))).toBe('x'.repeat(100))
  })

  it('drops empty values', () => {
    expect(utmValue('   ')).toBeUndefined()
    expect(utmValue(null)).toBeUndefined()
  })
})

describe('url without source tags', () => {
  it('drops every utm_* parameter, ?ref= and click ids, and sorts the others', () => {
    const url = new URL(
      'http://a.test/x?z=1&masterclass=m1&utm_source=a&utm_term=t&ref=r&fbclid=f&gclid=g&msclkid=m&_ga=1&mc_eid=e'
    )
    expect(untaggedUrl(url).search).toBe('?masterclass=m1&z=1')
    expect(untaggedUrl(new URL('http://a.test/x?masterclass=m1&z=1')).search).toBe('?masterclass=m1&z=1')
    expect(untaggedUrl(new URL('http://a.test/x?gbraid=1&wbraid=2&dclid=3&yclid=4&mc_cid=5')).search).toBe('')
    expect(url.search).toContain('utm_source=a')
  })
})

describe('a request touch', () => {
  it('records utm values, the external referrer and the time, not the landing path', () => {
    expect(
      visit(
        '/masterclasses/x?utm_source=instagram&utm_medium=social&utm_campaign=spring',
        'https://l.instagram.com/?u=1'
      )
    ).toEqual({
      utmSource: 'instagram',
      utmMedium: 'social',
      utmCampaign: 'spring',
      referrer: 'https://l.instagram.com/',
      at: NOW.toISOString()
    })
  })

  it('is a referral alone when only the Referer is external', () => {
    expect(visit('/', 'https://www.google.com/search?q=salsa')).toEqual({
      referrer: 'https://www.google.com/search',
      at: NOW.toISOString()
    })
  })

  it('is utm alone when the Referer is the storefront itself', () => {
    expect(visit('/?utm_source=newsletter', `http://${OWN}:3000/`)).toEqual({
      utmSource: 'newsletter',
      at: NOW.toISOString()
    })
  })

  it("takes a landing URL's ?ref= as the referrer, over the Referer, reduced like it", () => {
    expect(visit('/?ref=https%3A%2F%2Fpartner.test%2Flist%3Fid%3D9%23x', 'https://www.google.com/')).toEqual({
      referrer: 'https://partner.test/list',
      at: NOW.toISOString()
    })
    expect(visit('/?utm_source=newsletter&ref=https://partner.test/')).toEqual({
      utmSource: 'newsletter',
      referrer: 'https://partner.test/',
      at: NOW.toISOString()
    })
  })

  it('falls back to the Referer when ?ref= is invalid or names the storefront itself', () => {
    const google = { referrer: 'https://www.google.com/', at: NOW.toISOString() }
    expect(visit('/?ref=javascript:alert(1)', 'https://www.google.com/')).toEqual(google)
    expect(visit(`/?ref=${'https://a.test/'.padEnd(600, 'b')}`, 'https://www.google.com/')).toEqual(google)
    expect(visit(`/?ref=http://${OWN}:3000/signin`, 'https://www.google.com/')).toEqual(google)
    expect(visit(`/?ref=https://DELTA-DANCE.localhost./`)).toBeNull()
  })

  it('is nothing for a direct visit or internal navigation', () => {
    expect(visit('/')).toBeNull()
    expect(visit('/signin', `http://${OWN}:3000/`)).toBeNull()
    expect(visit('/?utm_source=%20&ref=x')).toBeNull()
  })

  it('never keeps the page path or its query string', () => {
    const touch = visit('/secret-path?utm_source=a&token=secret')!
    expect(JSON.stringify(touch)).not.toContain('secret')
  })
})
