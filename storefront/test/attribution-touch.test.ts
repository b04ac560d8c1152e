// What a storefront request says about its source: utm_* values and an external Referer, sanitized.
import { describe, expect, it } from 'vitest'
import {
  externalReferrer,
  MAX_LANDING_PATH_LENGTH,
  MAX_REFERRER_LENGTH,
  MAX_UTM_LENGTH,
  touchOf,
  utmValue
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

  it('caps the length at the API limit', () => {
    const long = `https://blog.example.test/${'a'.repeat(2_000)}`
    const value = externalReferrer(long, OWN)!
    expect(value).toHaveLength(MAX_REFERRER_LENGTH)
    expect(value.startsWith('https://blog.example.test/aaa')).toBe(true)
  })
})

describe('utm values', () => {
  it('trims and caps them', () => {
    expect(utmValue('  instagram ')).toBe('instagram')
    expect(utmValue('x'.repeat(300))).toHaveLength(MAX_UTM_LENGTH)
  })

  it('drops empty values, markup and control characters', () => {
    expect(utmValue('   ')).toBeUndefined()
    expect(utmValue('<script>')).toBeUndefined()
    expect(utmValue('a\nb')).toBeUndefined()
    expect(utmValue(null)).toBeUndefined()
  })
})

describe('a request touch', () => {
  it('records utm values, the external referrer, the landing path and the time', () => {
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
      landingPath: '/masterclasses/x',
      at: NOW.toISOString()
    })
  })

  it('is a referral alone when only the Referer is external', () => {
    expect(visit('/', 'https://www.google.com/search?q=salsa')).toEqual({
      referrer: 'https://www.google.com/search',
      landingPath: '/',
      at: NOW.toISOString()
    })
  })

  it('is utm alone when the Referer is the storefront itself', () => {
    expect(visit('/?utm_source=newsletter', `http://${OWN}:3000/`)).toEqual({
      utmSource: 'newsletter',
      landingPath: '/',
      at: NOW.toISOString()
    })
  })

  it('is nothing for a direct visit or internal navigation', () => {
    expect(visit('/')).toBeNull()
    expect(visit('/signin', `http://${OWN}:3000/`)).toBeNull()
    expect(visit('/?utm_source=%20&ref=x')).toBeNull()
  })

  it('caps the landing path and never keeps its query string', () => {
    const touch = visit(`/${'p'.repeat(500)}?utm_source=a&token=secret`)!
    expect(touch.landingPath).toHaveLength(MAX_LANDING_PATH_LENGTH)
    expect(JSON.stringify(touch)).not.toContain('secret')
  })
})
