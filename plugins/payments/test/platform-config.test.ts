// Provider selection through the host's platform-config reader: Stripe with keys, sandbox without, never
// sandbox over keys, and every problem reported at once as core's ConfigError (variables, never values).
import { ConfigError } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { readPluginPlatformConfigs } from '../../../core/src/plugins/plugin-platform-config.ts'
import type { PaymentsPlatformConfig } from '../platform-config.ts'
import { createPaymentsPlugin } from '../plugin.ts'

const plugin = createPaymentsPlugin()
const read = (env: NodeJS.ProcessEnv) =>
  readPluginPlatformConfigs([plugin], env).get('payments') as PaymentsPlatformConfig

function problemsOf(env: NodeJS.ProcessEnv) {
  try {
    read(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

const SECRET = 'sk_test_51Hplatformsecretvalue'

describe('payments platform config', () => {
  it('selects Stripe in the key’s mode when a secret key and webhook secrets are set', () => {
    const config = read({
      STRIPE_SECRET_KEY: SECRET,
      STRIPE_WEBHOOK_SECRETS: 'whsec_a, whsec_b',
      STRIPE_CONNECT_CLIENT_ID: 'ca_123abc'
    })
    expect(config.provider).toBe('stripe')
    expect(config.stripe).toMatchObject({
      webhookSecrets: ['whsec_a', 'whsec_b'],
      mode: 'test',
      connectClientId: 'ca_123abc'
    })
    expect(config.sandbox).toBeUndefined()
  })

  it('falls back to the sandbox without keys, outside production only', () => {
    expect(read({}).provider).toBe('sandbox')
    expect(read({ NODE_ENV: 'development' }).provider).toBe('sandbox')
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      { variable: 'STRIPE_SECRET_KEY', message: expect.stringContaining('NODE_ENV=production') }
    ])
    expect(
      problemsOf({ NODE_ENV: 'production', PAYMENTS_SANDBOX_WEBHOOK_SECRET: 'whsec_chosen' })[0].variable
    ).toBe('STRIPE_SECRET_KEY')
  })

  it('signs sandbox events with a random per-process secret unless one is set, never a published one', () => {
    const generated = read({}).sandbox!.webhookSecret
    expect(generated).toMatch(/^whsec_[A-Za-z0-9_]{40,}$/)
    expect(generated).not.toBe('whsec_sandbox_local_demo')
    // Stable within the process: the page that signs and the route that verifies must agree.
    expect(read({}).sandbox!.webhookSecret).toBe(generated)
    expect(read({ PAYMENTS_SANDBOX_WEBHOOK_SECRET: 'whsec_chosen' }).sandbox!.webhookSecret).toBe(
      'whsec_chosen'
    )
    expect(problemsOf({ PAYMENTS_SANDBOX_WEBHOOK_SECRET: 'chosen secret' })[0].variable).toBe(
      'PAYMENTS_SANDBOX_WEBHOOK_SECRET'
    )
  })

  it('never runs the sandbox while real keys are set', () => {
    for (const key of [SECRET, 'sk_live_51Hlivesecret', 'rk_live_51Hrestricted']) {
      expect(read({ STRIPE_SECRET_KEY: key, STRIPE_WEBHOOK_SECRETS: 'whsec_a' }).provider).toBe('stripe')
      expect(
        problemsOf({
          STRIPE_SECRET_KEY: key,
          STRIPE_WEBHOOK_SECRETS: 'whsec_a',
          PAYMENTS_PROVIDER: 'sandbox'
        })
      ).toEqual([{ variable: 'PAYMENTS_PROVIDER', message: expect.stringContaining('refused') }])
    }
  })

  it('reports every problem at once, naming variables and never echoing secrets', () => {
    const problems = problemsOf({
      STRIPE_SECRET_KEY: 'sk_live_51Hsecretvalue',
      STRIPE_MODE: 'test',
      STRIPE_CONNECT_CLIENT_ID: 'client-1',
      PAYMENTS_RECONCILE_LOOKBACK_SECONDS: 'soon'
    })
    expect(problems.map((problem) => problem.variable).sort()).toEqual([
      'PAYMENTS_RECONCILE_LOOKBACK_SECONDS',
      'STRIPE_CONNECT_CLIENT_ID',
      'STRIPE_MODE',
      'STRIPE_WEBHOOK_SECRETS'
    ])
    expect(JSON.stringify(problems)).not.toContain('sk_live_51Hsecretvalue')
    expect(
      problemsOf({ STRIPE_SECRET_KEY: 'pk_test_publishable', STRIPE_WEBHOOK_SECRETS: 'whsec_a' })
    ).toEqual([
      { variable: 'STRIPE_SECRET_KEY', message: expect.stringContaining('secret or restricted key') }
    ])
    expect(
      problemsOf({ STRIPE_SECRET_KEY: SECRET, STRIPE_WEBHOOK_SECRETS: 'not-a-secret' })[0].variable
    ).toBe('STRIPE_WEBHOOK_SECRETS')
    expect(problemsOf({ PAYMENTS_PROVIDER: 'stripe' })[0].variable).toBe('STRIPE_SECRET_KEY')
    expect(problemsOf({ STRIPE_WEBHOOK_SECRETS: 'whsec_a' })[0].variable).toBe('STRIPE_WEBHOOK_SECRETS')
    expect(problemsOf({ PAYMENTS_PROVIDER: 'paypal' })[0]).toMatchObject({ variable: 'PAYMENTS_PROVIDER' })
  })
})
