// Which attribution a storefront request carries and what its cookie keeps from now on. This one decision
// is also the landing sections' `source` prop (request-attribution.ts), so the source a registration form
// posts for a lead is always the one the cookie keeps.
//
// Decision (issue #5): first touch, replaced by a later campaign. A visit tagged with utm_* values other
// than the stored ones replaces the cookie (last campaign touch: the campaign that finally brought the
// visitor back is the one to credit). An untagged external referrer (the Referer, or a landing URL's ?ref=)
// is recorded only when nothing is stored (first touch): untagged referrers also include payment-provider
// returns and webmail sign-in links, which say nothing about acquisition and must not erase a campaign.
// Direct visits never change the cookie, and internal navigation (a Referer on the storefront's own host)
// never changes a stored touch, even with utm_* or ?ref= in an on-site link; with nothing stored yet, such a
// link's tags are the only source known and are recorded. The same campaign again (a reload, the landing
// link reopened) keeps the first time.
import { type UiAttribution, UTM_FIELDS } from '@masterstage/core/client'
import type { Touch } from './touch.ts'

export interface AttributionDecision {
  /** What this request's plugin loads and landing sections see: the new touch, else the stored one. */
  attribution?: UiAttribution
  /** The touch to write to the cookie, when it changes. */
  store?: Touch
}

const isCampaign = (touch: Touch) => UTM_FIELDS.some((field) => touch[field] !== undefined)
const sameCampaign = (a: Touch, b: Touch) => UTM_FIELDS.every((field) => a[field] === b[field])

/** The touch without its time: what loads may see (a visit time is the visitor's own business). */
export function publicAttribution(touch: Touch): UiAttribution {
  const { at: _at, ...attribution } = touch
  return attribution
}

export function decideAttribution(
  current: Touch | null,
  stored: Touch | undefined,
  referredInternally: boolean
): AttributionDecision {
  const kept = stored && { attribution: publicAttribution(stored) }
  if (!current) return kept ?? {}
  if (stored) {
    if (referredInternally || !isCampaign(current) || sameCampaign(current, stored)) return kept!
  }
  return { attribution: publicAttribution(current), store: current }
}
