// The node:crypto verifier against headers made by the Stripe SDK's own test helper: what the SDK
// accepts it accepts, and it refuses what the SDK refuses.
import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { WebhookSignatureError } from '../../providers/payment-provider.ts'
import { verifyStripeSignature } from '../../providers/stripe/verify-signature.ts'

const sdk = new Stripe('sk_test_verify')
const payload = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'payment_intent.succeeded',
  data: { object: {} }
})
const body = Buffer.from(payload)
const header = (secret: string, timestamp?: number) =>
  sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp })

describe('verifyStripeSignature', () => {
  it('accepts a valid header for any of the endpoint secrets and returns the parsed event', () => {
    expect(verifyStripeSignature(body, header('whsec_b'), ['whsec_a', 'whsec_b'])).toMatchObject({
      id: 'evt_1'
    })
    // Stripe sends one v1 per active secret while a secret is being rolled.
    const rolled = `${header('whsec_a')},v1=${'0'.repeat(64)}`
    expect(verifyStripeSignature(body, rolled, ['whsec_a']).id).toBe('evt_1')
  })

  it('refuses what the SDK refuses: no header, wrong secret, altered body, stale timestamp', () => {
    const now = Math.floor(Date.now() / 1000)
    const cases: [Buffer, string | undefined][] = [
      [body, undefined],
      [body, ''],
      [body, 'garbage'],
      [body, header('whsec_wrong')],
      [Buffer.from(JSON.stringify(JSON.parse(payload), null, 1)), header('whsec_a')],
      [body, header('whsec_a', now - 301)]
    ]
    for (const [raw, given] of cases) {
      expect(() => verifyStripeSignature(raw, given, ['whsec_a'])).toThrow(WebhookSignatureError)
      expect(() => sdk.webhooks.constructEvent(raw, given ?? '', 'whsec_a', 300)).toThrow()
    }
  })
})
