// A request's attribution decision and the landing sections' `source` prop made from it: the prop is what
// the cookie keeps or now stores (without its time), never the page URL's tags read again, so the source a
// registration form posts for a lead and the cookie always agree.
import { describe, expect, it } from 'vitest'
import { encodeTouch } from '../src/lib/server/attribution/cookie-value.ts'
import { landingSource, requestAttribution } from '../src/lib/server/attribution/request-attribution.ts'

const ORIGIN = 'http://delta-dance.localhost:3000'
const NOW = new Date('2026-03-05T10:00:00.000Z')
const STORED = { utmSource: 'instagram', utmCampaign: 'spring', referrer: 'https://www.instagram.com/p/1/' }
const COOKIE = encodeTouch({ ...STORED, at: '2026-03-01T10:00:00.000Z' })

const decide = (path: string, options: { referer?: string; cookie?: string; method?: string } = {}) =>
  requestAttribution({
    url: new URL(`${ORIGIN}${path}`),
    method: options.method ?? 'GET',
    referer: options.referer ?? null,
    cookie: options.cookie,
    now: NOW
  })
/** The `source` prop the landing sections of this request get. */
const sourceOf = (path: string, options: Parameters<typeof decide>[1] = {}) =>
  landingSource(decide(path, options).attribution)

describe('landing source of a request', () => {
  it('is the stored campaign after an on-site link carrying other UTM values, as the cookie keeps it', () => {
    const options = { referer: `${ORIGIN}/masterclasses`, cookie: COOKIE }
    const decision = decide('/?utm_source=banner&utm_campaign=footer', options)
    expect(decision.store).toBeUndefined()
    expect(sourceOf('/?utm_source=banner&utm_campaign=footer', options)).toEqual(STORED)
  })

  it('ignores an on-site ?ref= too', () => {
    const options = { referer: `${ORIGIN}/`, cookie: COOKIE }
    expect(sourceOf('/?ref=https://partner.test/list', options)).toEqual(STORED)
  })

  it('is the stored attribution when the page URL has none', () => {
    expect(sourceOf('/', { cookie: COOKIE })).toEqual(STORED)
  })

  it('is a new campaign whole, never mixed with the stored referrer', () => {
    const decision = decide('/?utm_source=newsletter', { cookie: COOKIE })
    expect(landingSource(decision.attribution)).toEqual({ utmSource: 'newsletter' })
    expect(decision.store).toEqual({ utmSource: 'newsletter', at: NOW.toISOString() })
  })

  it("takes a landing URL's ?ref= as the referrer, over the Referer header, and stores it", () => {
    const decision = decide('/?utm_source=newsletter&ref=https://partner.test/list?id=9', {
      referer: 'https://mail.example.test/inbox'
    })
    expect(landingSource(decision.attribution)).toEqual({
      utmSource: 'newsletter',
      referrer: 'https://partner.test/list'
    })
    expect(decision.store).toEqual({ ...landingSource(decision.attribution), at: NOW.toISOString() })
  })

  it('keeps a stored campaign over a ?ref= referral (an untagged referrer like any other)', () => {
    const decision = decide('/?ref=https://partner.test/list', { cookie: COOKIE })
    expect(decision.store).toBeUndefined()
    expect(landingSource(decision.attribution)).toEqual(STORED)
  })

  it('records a ?ref= referral when nothing is stored', () => {
    expect(sourceOf('/?ref=https://partner.test/list')).toEqual({ referrer: 'https://partner.test/list' })
  })

  it('reads the stored attribution on a form post, whatever its URL says', () => {
    const options = { cookie: COOKIE, method: 'POST', referer: 'https://x.test/' }
    expect(decide('/?utm_source=other', options)).toEqual({ attribution: STORED })
  })

  it('is empty for a direct visit', () => {
    expect(sourceOf('/')).toEqual({})
  })

  it.each([
    ['a UTM value with characters the API refuses', '/?utm_source=a%26b%3Dc!'],
    ['markup', '/?utm_campaign=%3Cscript%3E'],
    ['an over-long UTM value', `/?utm_medium=${'x'.repeat(101)}`],
    ['a ?ref= that is no http(s) URL', '/?ref=partner-x'],
    ['a javascript: ?ref=', '/?ref=javascript:alert(1)'],
    ['an over-long ?ref=', `/?ref=https://a.test/${'b'.repeat(600)}`]
  ])('leaves out %s', (_, path) => {
    expect(decide(path)).toEqual({})
  })

  it('drops a stored cookie with values the API would refuse', () => {
    const tampered = Buffer.from(JSON.stringify({ utmSource: 'a&b', at: NOW.toISOString() })).toString(
      'base64url'
    )
    expect(sourceOf('/', { cookie: tampered })).toEqual({})
  })

  it('hands each section a copy of the decision', () => {
    const attribution = { utmSource: 'instagram' }
    const source = landingSource(attribution)
    expect(source).toEqual(attribution)
    expect(source).not.toBe(attribution)
  })
})
