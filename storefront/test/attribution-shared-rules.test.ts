// The storefront's recorded touch, the cookie that keeps it and the visit's source it hands to landing
// sections (a form's hidden fields) reduce the same raw values to the same result (core's attribution rules,
// which the registration API applies too): what the cookie keeps, a form carries.
import { describe, expect, it } from 'vitest'
import { decodeTouch, encodeTouch } from '../src/lib/server/attribution/cookie-value.ts'
import { landingSource, requestAttribution } from '../src/lib/server/attribution/request-attribution.ts'
import { externalReferrer, touchOf } from '../src/lib/server/attribution/touch.ts'

const OWN = 'delta-dance.localhost'
const NOW = new Date('2026-03-01T10:00:00.000Z')
const page = (query = '') => new URL(`http://${OWN}:3000/${query}`)
const nearLimit = (extra: number) => `https://blog.example.test/${'a'.repeat(474 + extra)}`
/** The source prop of a first visit to this URL with this Referer. */
const sourceOf = (url: URL, referer: string | null = null) =>
  landingSource(requestAttribution({ url, method: 'GET', referer, cookie: undefined, now: NOW }).attribution)
/** What a later visit reads back from the cookie this touch was written to. */
const keptOf = (url: URL, referer: string | null = null) => {
  const touch = touchOf({ url, referer, now: NOW })
  return touch ? decodeTouch(encodeTouch(touch)) : undefined
}

// Raw value → what every place must keep (undefined: dropped, never cut or mended). Literal expectations, so
// a rule that changed in one place, or in the shared code itself, fails here.
const UTM_VALUES: [string, string | undefined][] = [
  ['instagram', 'instagram'],
  ['  instagram ', 'instagram'],
  ['primavera ñ 2026/03_a+b%20.x-y', 'primavera ñ 2026/03_a+b%20.x-y'],
  ['x'.repeat(100), 'x'.repeat(100)],
  ['x'.repeat(101), undefined],
  ['spring!', undefined],
  ['a&b', undefined],
  ['<script>', undefined],
  ['   ', undefined]
]

const REFERRERS: [string, string | undefined][] = [
  ['https://www.instagram.com/p/abc/?igshid=x&email=ana%40b.test#top', 'https://www.instagram.com/p/abc/'],
  ['https://user:secret@blog.example.test/post', 'https://blog.example.test/post'],
  [' https://a.test/padded ', 'https://a.test/padded'],
  [nearLimit(0), nearLimit(0)],
  [nearLimit(1), undefined],
  [`https://blog.example.test/${'a'.repeat(2_000)}`, undefined],
  ['javascript:alert(1)', undefined],
  ['android-app://com.google.android.gm/', undefined],
  ['instagram', undefined]
]

describe('shared attribution rules', () => {
  it.each(UTM_VALUES)('keep the UTM value %j as %j', (raw, expected) => {
    const url = page(`?utm_source=${encodeURIComponent(raw)}`)
    expect(touchOf({ url, referer: null, now: NOW })?.utmSource).toBe(expected)
    expect(keptOf(url)?.utmSource).toBe(expected)
    expect(sourceOf(url).utmSource).toBe(expected)
  })

  it.each(REFERRERS)('reduce the referrer %j to %j', (raw, expected) => {
    expect(externalReferrer(raw, OWN)).toBe(expected)
    expect(sourceOf(page(), raw).referrer).toBe(expected)
    expect(sourceOf(page(`?ref=${encodeURIComponent(raw)}`)).referrer).toBe(expected)
    expect(keptOf(page(`?ref=${encodeURIComponent(raw)}`))?.referrer).toBe(expected)
  })

  it('keeps a referrer at the limit whole and drops one over it in every place', () => {
    expect(externalReferrer(nearLimit(0), OWN)).toBe(nearLimit(0))
    expect(sourceOf(page(`?ref=${nearLimit(0)}`)).referrer).toBe(nearLimit(0))
    expect(sourceOf(page(`?ref=${nearLimit(1)}`)).referrer).toBeUndefined()
    expect(sourceOf(page(), nearLimit(1)).referrer).toBeUndefined()
  })
})
