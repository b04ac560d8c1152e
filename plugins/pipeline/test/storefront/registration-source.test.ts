// The registration form's hidden source fields: the page URL first, else the storefront's attribution, and
// only values the registration API itself accepts (checked against validateRegistration, so the form's
// copy of the rules cannot drift from the API's into refusing registrations).
import { describe, expect, it } from 'vitest'
import { validateRegistration } from '../../domain/registration-input.ts'
import { registrationSource } from '../../storefront/registration-source.ts'

const page = (query = '') => new URL(`http://delta-dance.localhost:3000/${query}`)
const COOKIE = { utmSource: 'instagram', utmCampaign: 'spring', referrer: 'https://www.instagram.com/p/1/' }

const register = (source: Record<string, string>) =>
  validateRegistration({ name: 'Ana', email: 'ana@b.test', masterclassId: 'm1', consent: 'true', ...source })

describe('registration source fields', () => {
  it('come from the stored attribution when the page URL has none', () => {
    expect(registrationSource(page(), COOKIE)).toEqual(COOKIE)
  })

  it('come from the page URL first, its UTM values as one campaign (never mixed with the stored one)', () => {
    expect(
      registrationSource(page('?utm_source=newsletter&ref=https://partner.test/list?id=9'), COOKIE)
    ).toEqual({
      utmSource: 'newsletter',
      referrer: 'https://partner.test/list'
    })
  })

  it('take the stored referrer when the URL has UTM values but no ?ref=', () => {
    expect(registrationSource(page('?utm_source=newsletter'), COOKIE)).toEqual({
      utmSource: 'newsletter',
      referrer: COOKIE.referrer
    })
  })

  it('are empty for a direct visit', () => {
    expect(registrationSource(page())).toEqual({})
  })

  it.each([
    ['a UTM value with characters the API refuses', '?utm_source=a%26b%3Dc!'],
    ['markup', '?utm_campaign=%3Cscript%3E'],
    ['an over-long UTM value', `?utm_medium=${'x'.repeat(101)}`],
    ['a ?ref= that is no http(s) URL', '?ref=partner-x'],
    ['a javascript: ?ref=', '?ref=javascript:alert(1)'],
    ['an over-long ?ref=', `?ref=https://a.test/${'b'.repeat(600)}`]
  ])('leave out %s rather than block the registration', (_, query) => {
    const source = registrationSource(page(query))
    expect(source).toEqual({})
  })

  it.each([
    [
      'UTM values with spaces, accents and symbols the API allows',
      '?utm_source=Insta%20gram&utm_campaign=primavera_ñ%2B1'
    ],
    ['a referrer with a query string', '?ref=https://partner.test/a/b?email=ana@b.test#x'],
    ['values with edge whitespace', '?utm_source=%20instagram%20']
  ])('carry only values the API accepts: %s', (_, query) => {
    const source = registrationSource(page(query))
    expect(Object.keys(source).length).toBeGreaterThan(0)
    const result = register(source)
    expect(result.ok ? result.value.source : result.errors).toEqual(source)
  })

  it('drop stored values the API would refuse', () => {
    expect(registrationSource(page(), { utmSource: 'a&b', referrer: 'ftp://x.test/' })).toEqual({})
  })
})
