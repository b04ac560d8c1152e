// Which touch a request carries and when the cookie changes: first touch, replaced by a new campaign only.
import { describe, expect, it } from 'vitest'
import { decideAttribution } from '../src/lib/server/attribution/choose.ts'
import type { Touch } from '../src/lib/server/attribution/touch.ts'

const STORED: Touch = {
  utmSource: 'instagram',
  utmCampaign: 'spring',
  referrer: 'https://www.instagram.com/',
  at: '2026-03-01T10:00:00.000Z'
}
const LATER = '2026-03-05T10:00:00.000Z'
const { at: _at, ...STORED_PUBLIC } = STORED

describe('attribution decision', () => {
  it('records the first touch and shows it to loads without its time', () => {
    const touch: Touch = { referrer: 'https://www.google.com/', at: LATER }
    expect(decideAttribution(touch, undefined, false)).toEqual({
      attribution: { referrer: 'https://www.google.com/' },
      store: touch
    })
  })

  it('gives the stored touch on a direct visit and writes nothing', () => {
    expect(decideAttribution(null, STORED, false)).toEqual({ attribution: STORED_PUBLIC })
    expect(decideAttribution(null, undefined, false)).toEqual({})
  })

  it('replaces the stored touch with a new campaign', () => {
    const touch: Touch = { utmSource: 'newsletter', utmCampaign: 'summer', at: LATER }
    expect(decideAttribution(touch, STORED, false)).toEqual({
      attribution: { utmSource: 'newsletter', utmCampaign: 'summer' },
      store: touch
    })
  })

  it('keeps the first time of the same campaign seen again', () => {
    const again: Touch = { ...STORED, at: LATER }
    expect(decideAttribution(again, STORED, false)).toEqual({ attribution: STORED_PUBLIC })
  })

  it('keeps a campaign over a later untagged referral (payment return, webmail link)', () => {
    const referral: Touch = {
      referrer: 'https://checkout.stripe.com/',
      at: LATER
    }
    expect(decideAttribution(referral, STORED, false)).toEqual({ attribution: STORED_PUBLIC })
  })

  it('never lets internal navigation overwrite, even through a tagged on-site link', () => {
    const tagged: Touch = { utmSource: 'banner', at: LATER }
    expect(decideAttribution(tagged, STORED, true)).toEqual({ attribution: STORED_PUBLIC })
  })
})
