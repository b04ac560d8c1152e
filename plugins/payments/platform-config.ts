// Platform-level payment configuration (provider choice, platform Stripe keys, Connect client id, mode,
// sandbox secret): read by the host at boot through core's environment reader (manifest
// `platformConfig`), every problem reported with core's own; tenants never see or override these.
import { randomBytes } from 'node:crypto'
import type { PlatformEnvReader } from '@masterstage/core'
import type { StripeProviderOptions } from './providers/stripe/stripe-provider.ts'

export interface PaymentsPlatformConfig {
  provider: 'stripe' | 'sandbox'
  stripe?: StripeProviderOptions
  sandbox?: { webhookSecret: string }
  /** Seconds between reconciliation passes' look-back window. */
  reconcileLookbackSeconds: number
}

const KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9_]+$/
const CONNECT_CLIENT_ID = /^ca_[A-Za-z0-9]+$/

// The sandbox signs and verifies its own events in this process: without PAYMENTS_SANDBOX_WEBHOOK_SECRET
// a random secret per process replaces any fixed, published value (a known secret would let anyone
// forge "paid" webhooks). Several processes sharing one sandbox must set the variable.
const processSandboxSecret = `whsec_sandbox_${randomBytes(24).toString('hex')}`
const sandboxWebhookSecret = (env: PlatformEnvReader) =>
  env.raw('PAYMENTS_SANDBOX_WEBHOOK_SECRET') ?? processSandboxSecret

/**
 * STRIPE_SECRET_KEY selects Stripe (with STRIPE_WEBHOOK_SECRETS, optional STRIPE_CONNECT_CLIENT_ID and
 * STRIPE_MODE, which must agree with the key). Without a key the sandbox runs; asking for the sandbox
 * while a key is set is a configuration error: a demo switch must never shadow real keys. The sandbox is
 * refused with NODE_ENV=production: a production API without keys must not start taking fake payments.
 * Messages name variables, never their values (they are secrets).
 */
export function readPlatformConfig(env: PlatformEnvReader): PaymentsPlatformConfig {
  // Validated for its problem report; the presence of a key decides the provider.
  const requested = env.oneOf('PAYMENTS_PROVIDER', ['stripe', 'sandbox', ''] as const, '')
  const reconcileLookbackSeconds = env.integer(
    'PAYMENTS_RECONCILE_LOOKBACK_SECONDS',
    3 * 24 * 3600,
    60,
    30 * 24 * 3600
  )
  const secretKey = env.raw('STRIPE_SECRET_KEY')
  if (!secretKey) {
    if (requested === 'stripe') env.problem('STRIPE_SECRET_KEY', 'is required with PAYMENTS_PROVIDER=stripe')
    for (const name of ['STRIPE_WEBHOOK_SECRETS', 'STRIPE_CONNECT_CLIENT_ID', 'STRIPE_MODE']) {
      if (env.raw(name)) env.problem(name, 'is set but STRIPE_SECRET_KEY is not (Stripe half-configured)')
    }
    if (env.raw('NODE_ENV') === 'production')
      env.problem(
        'STRIPE_SECRET_KEY',
        'is required with NODE_ENV=production (the payments sandbox is refused in production)'
      )
    const webhookSecret = sandboxWebhookSecret(env)
    if (!WEBHOOK_SECRET.test(webhookSecret))
      env.problem('PAYMENTS_SANDBOX_WEBHOOK_SECRET', 'must look like whsec_… (letters, digits, _)')
    return {
      provider: 'sandbox',
      sandbox: { webhookSecret },
      reconcileLookbackSeconds
    }
  }
  if (requested === 'sandbox')
    env.problem('PAYMENTS_PROVIDER', 'sandbox is refused while STRIPE_SECRET_KEY is set (unset one of them)')
  const keyMode = KEY.exec(secretKey)?.[2] as 'test' | 'live' | undefined
  if (!keyMode)
    env.problem('STRIPE_SECRET_KEY', 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…)')
  const mode = env.oneOf('STRIPE_MODE', ['test', 'live'] as const, keyMode ?? 'test')
  if (keyMode && mode !== keyMode)
    env.problem('STRIPE_MODE', `is ${mode} but STRIPE_SECRET_KEY is a ${keyMode} key`)
  const webhookSecrets = (env.raw('STRIPE_WEBHOOK_SECRETS') ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean)
  if (webhookSecrets.length === 0)
    env.problem(
      'STRIPE_WEBHOOK_SECRETS',
      'is required with STRIPE_SECRET_KEY (comma-separated whsec_… values)'
    )
  else if (!webhookSecrets.every((secret) => WEBHOOK_SECRET.test(secret)))
    env.problem('STRIPE_WEBHOOK_SECRETS', 'must be comma-separated whsec_… signing secrets')
  const connectClientId = env.raw('STRIPE_CONNECT_CLIENT_ID')
  if (connectClientId && !CONNECT_CLIENT_ID.test(connectClientId))
    env.problem('STRIPE_CONNECT_CLIENT_ID', 'must look like ca_…')
  const apiHost = env.raw('STRIPE_API_HOST')
  const api = apiHost
    ? {
        host: apiHost,
        port: env.integer('STRIPE_API_PORT', 443, 1, 65535),
        protocol: env.oneOf('STRIPE_API_PROTOCOL', ['http', 'https'] as const, 'https')
      }
    : undefined
  return {
    provider: 'stripe',
    stripe: { secretKey, webhookSecrets, connectClientId, mode, api },
    reconcileLookbackSeconds
  }
}
