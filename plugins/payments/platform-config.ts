// Platform-level payment configuration (provider choice, platform Stripe keys, sandbox secret), read
// once at plugin setup from the process environment; tenants never see or override these.
import type { StripeProviderOptions } from './providers/stripe/stripe-provider.ts'

export interface PaymentsPlatformConfig {
  provider: 'stripe' | 'sandbox'
  stripe?: StripeProviderOptions
  sandbox?: { webhookSecret: string }
  /** Seconds between reconciliation passes' look-back window. */
  reconcileLookbackSeconds: number
}

export class PaymentsConfigError extends Error {
  override name = 'PaymentsConfigError'
}

/**
 * STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRETS (comma-separated: platform and Connect endpoints) select
 * Stripe. Without them the sandbox runs (PAYMENTS_SANDBOX_WEBHOOK_SECRET, generated when absent), and
 * asking for the sandbox while real keys are set is refused: a demo switch must never shadow live keys.
 */
export function readPlatformConfig(env: NodeJS.ProcessEnv): PaymentsPlatformConfig {
  const secretKey = env.STRIPE_SECRET_KEY?.trim()
  const requested = env.PAYMENTS_PROVIDER?.trim()
  const reconcileLookbackSeconds = Number(env.PAYMENTS_RECONCILE_LOOKBACK_SECONDS ?? 3 * 24 * 3600)
  if (requested && requested !== 'stripe' && requested !== 'sandbox') {
    throw new PaymentsConfigError(`PAYMENTS_PROVIDER must be stripe or sandbox (got '${requested}')`)
  }
  if (secretKey) {
    if (requested === 'sandbox') {
      throw new PaymentsConfigError('PAYMENTS_PROVIDER=sandbox is refused while STRIPE_SECRET_KEY is set')
    }
    const webhookSecrets = (env.STRIPE_WEBHOOK_SECRETS ?? env.STRIPE_WEBHOOK_SECRET ?? '')
      .split(',')
      .map((secret) => secret.trim())
      .filter(Boolean)
    if (webhookSecrets.length === 0)
      throw new PaymentsConfigError('STRIPE_WEBHOOK_SECRETS is required with STRIPE_SECRET_KEY')
    const api = env.STRIPE_API_HOST
      ? {
          host: env.STRIPE_API_HOST,
          port: Number(env.STRIPE_API_PORT ?? 443),
          protocol: (env.STRIPE_API_PROTOCOL === 'http' ? 'http' : 'https') as 'http' | 'https'
        }
      : undefined
    return { provider: 'stripe', stripe: { secretKey, webhookSecrets, api }, reconcileLookbackSeconds }
  }
  if (requested === 'stripe')
    throw new PaymentsConfigError('PAYMENTS_PROVIDER=stripe needs STRIPE_SECRET_KEY')
  return {
    provider: 'sandbox',
    sandbox: { webhookSecret: env.PAYMENTS_SANDBOX_WEBHOOK_SECRET?.trim() || 'whsec_sandbox_local_demo' },
    reconcileLookbackSeconds
  }
}
