// The registration form's hidden source inputs, from the `source` prop the storefront passes (its attribution
// decision, values reduced by core's attribution rules): only values the registration API itself accepts
// (checked against validateRegistration, so a hidden field never blocks a registration the visitor cannot
// correct), and a posted form's own values kept.
import { referrerValue, type UiAttribution, utmOfUrl } from '@masterstage/core/client'
import { describe, expect, it } from 'vitest'
import { validateRegistration } from '../../domain/registration-input.ts'
import { hiddenSourceInputs } from '../../storefront/registration-hidden-fields.ts'

const page = (query = '') => new URL(`http://delta-dance.localhost:3000/${query}`)
/** A landing URL's source as the storefront's touch reduces it (core's rules: utm_* values and ?ref=). */
function landingSource(url: URL): UiAttribution {
  const referrer = referrerValue(url.searchParams.get('ref'))
  return { ...utmOfUrl(url), ...(referrer && { referrer }) }
}
const STORED = { utmSource: 'instagram', utmCampaign: 'spring', referrer: 'https://www.instagram.com/p/1/' }

const posted = (inputs: { name: string; value: string }[]) =>
  Object.fromEntries(inputs.map(({ name, value }) => [name, value]))
const register = (source: Record<string, string>) =>
  validateRegistration({ name: 'Ana', email: 'ana@b.test', masterclassId: 'm1', consent: 'true', ...source })

describe('registration form hidden source inputs', () => {
  it('carry the source prop, one input per field with a value', () => {
    expect(hiddenSourceInputs(STORED)).toEqual([
      { name: 'utmSource', value: 'instagram' },
      { name: 'utmCampaign', value: 'spring' },
      { name: 'referrer', value: 'https://www.instagram.com/p/1/' }
    ])
  })

  it('are none for a direct visit or without the prop', () => {
    expect(hiddenSourceInputs({})).toEqual([])
    expect(hiddenSourceInputs(undefined)).toEqual([])
  })

  it('keep what the form posted when it comes back with errors', () => {
    expect(hiddenSourceInputs({ utmSource: 'cookie' }, { utmSource: 'page', name: 'Ana' })).toEqual([
      { name: 'utmSource', value: 'page' }
    ])
  })

  it('take nothing from the source prop once a form was posted, so campaigns never mix', () => {
    // The re-render after a failed POST gets its source from the cookie, possibly another campaign's.
    const form = { name: 'Ana', email: '', utmSource: 'page' }
    expect(hiddenSourceInputs(STORED, form)).toEqual([{ name: 'utmSource', value: 'page' }])
    expect(hiddenSourceInputs(STORED, { name: 'Ana', email: '' })).toEqual([])
  })

  it('use the source prop when no form was posted (no values, or the empty record of no form)', () => {
    expect(hiddenSourceInputs(STORED, {})).toEqual(hiddenSourceInputs(STORED))
  })

  it.each([
    [
      'UTM values with spaces, accents and symbols the API allows',
      '?utm_source=Insta%20gram&utm_campaign=primavera_ñ%2B1'
    ],
    ['a referrer with a query string', '?ref=https://partner.test/a/b?email=ana@b.test#x'],
    ['values with edge whitespace', '?utm_source=%20instagram%20']
  ])('carry only values the API accepts: %s', (_, query) => {
    const inputs = hiddenSourceInputs(landingSource(page(query)))
    expect(inputs.length).toBeGreaterThan(0)
    const result = register(posted(inputs))
    expect(result.ok ? result.value.source : result.errors).toEqual(posted(inputs))
  })
})
