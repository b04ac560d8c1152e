// Provider selection from the environment: Stripe with keys, sandbox without, never sandbox over keys.
import { describe, expect, it } from 'vitest'
import { PaymentsConfigError, readPlatformConfig } from '../platform-config.ts'

describe('payments platform config', () => {
  it('selects Stripe when a secret key and webhook secrets are set', () => {
    const config = readPlatformConfig({
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRETS: 'whsec_a, whsec_b'
    })
    expect(config.provider).toBe('stripe')
    expect(config.stripe?.webhookSecrets).toEqual(['whsec_a', 'whsec_b'])
  })

  it('falls back to the sandbox without keys', () => {
    expect(readPlatformConfig({}).provider).toBe('sandbox')
  })

  it('refuses the sandbox while real keys are set, and Stripe without its secrets', () => {
    expect(() =>
      readPlatformConfig({
        STRIPE_SECRET_KEY: 'sk_live_x',
        STRIPE_WEBHOOK_SECRETS: 'whsec_a',
        PAYMENTS_PROVIDER: 'sandbox'
      })
    ).toThrow(PaymentsConfigError)
    expect(() => readPlatformConfig({ STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(/STRIPE_WEBHOOK_SECRETS/)
    expect(() => readPlatformConfig({ PAYMENTS_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/)
    expect(() => readPlatformConfig({ PAYMENTS_PROVIDER: 'paypal' })).toThrow(/stripe or sandbox/)
  })
})
