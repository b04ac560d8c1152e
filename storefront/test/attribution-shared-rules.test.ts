// The storefront's recorded touch and the visit's source it hands to landing sections (a form's hidden
// fields) reduce the same raw values to the same result (both use core's attribution rules): what the
// cookie keeps, a form carries.
import { visitSource } from '@masterstage/core/client'
import { describe, expect, it } from 'vitest'
import { externalReferrer, touchOf } from '../src/lib/server/attribution/touch.ts'

const OWN = 'delta-dance.localhost'
const NOW = new Date('2026-03-01T10:00:00.000Z')
const page = (query = '') => new URL(`http://${OWN}:3000/${query}`)
const nearLimit = (extra: number) => `https://blog.example.test/${'a'.repeat(474 + extra)}`

const UTM_VALUES = [
  'instagram',
  '  instagram ',
  'primavera ñ 2026/03_a+b%20.x-y',
  'x'.repeat(100),
  'x'.repeat(101),
  'spring!',
  'a&b',
  '<script>',
  '   '
]

const REFERRERS = [
  'https://www.instagram.com/p/abc/?igshid=x&email=ana%40b.test#top',
  'https://user:secret@blog.example.test/post',
  'https://a.test/<script>alert(1)</script>',
  ' https://a.test/padded ',
  nearLimit(0),
  nearLimit(1),
  `https://blog.example.test/${'a'.repeat(2_000)}`,
  'javascript:alert(1)',
  'android-app://com.google.android.gm/',
  'instagram'
]

describe('shared attribution rules', () => {
  it.each(UTM_VALUES)('keep the same UTM value for %j', (raw) => {
    const url = page(`?utm_source=${encodeURIComponent(raw)}`)
    const recorded = touchOf({ url, referer: null, now: NOW })?.utmSource
    expect(visitSource(url).utmSource).toBe(recorded)
    expect(visitSource(page(), { utmSource: raw }).utmSource).toBe(recorded)
  })

  it.each(REFERRERS)('reduce the referrer %j the same way', (raw) => {
    const recorded = externalReferrer(raw, OWN)
    expect(visitSource(page(`?ref=${encodeURIComponent(raw)}`)).referrer).toBe(recorded)
    expect(visitSource(page(), { referrer: raw }).referrer).toBe(recorded)
  })

  it('keeps a referrer at the limit whole and drops one over it in both places', () => {
    expect(externalReferrer(nearLimit(0), OWN)).toBe(nearLimit(0))
    expect(visitSource(page(), { referrer: nearLimit(1) }).referrer).toBeUndefined()
  })
})
