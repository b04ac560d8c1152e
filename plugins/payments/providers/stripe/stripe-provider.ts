// PaymentProvider on the real Stripe SDK: direct charges on the tenant's connected account
// (Stripe-Account header) with a platform application fee, idempotency keys on every write.
import Stripe from 'stripe'
import type {
  CheckoutSessionInfo,
  ConnectedAccountStatus,
  CreateCheckoutSessionInput,
  PaymentProvider,
  ProviderEvent,
  RefundInfo,
  RefundInput
} from '../payment-provider.ts'
import { verifyStripeSignature } from './verify-signature.ts'

export interface StripeProviderOptions {
  /** Platform secret key (sk_test_... or sk_live_...); never logged. */
  secretKey: string
  /** Signing secrets of the webhook endpoints (platform and Connect endpoints differ). */
  webhookSecrets: readonly string[]
  /** Test or live: must agree with the key (checked by platform-config); derived from the key if absent. */
  mode?: 'test' | 'live'
  /** Connect platform client id (ca_…): only OAuth (Standard) onboarding needs it; Express account links do not. */
  connectClientId?: string
  /** Tests point the SDK at a local fake of the Stripe API. */
  api?: { host: string; port: number; protocol: 'http' | 'https' }
  maxNetworkRetries?: number
  timeoutMs?: number
}

export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  if (!options.secretKey) throw new Error('Stripe provider needs a secret key')
  if (options.webhookSecrets.length === 0)
    throw new Error('Stripe provider needs at least one webhook secret')
  const stripe = new Stripe(options.secretKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 20_000,
    ...(options.api ?? {}),
    appInfo: { name: 'masterstage-payments' }
  })
  const keyIsLive = options.secretKey.startsWith('sk_live_') || options.secretKey.startsWith('rk_live_')
  if (options.mode && options.mode !== (keyIsLive ? 'live' : 'test'))
    throw new Error(`Stripe mode ${options.mode} does not match the secret key`)
  const livemode = keyIsLive

  return {
    name: 'stripe',
    livemode,

    async createConnectedAccount(input, idempotencyKey) {
      const account = await stripe.accounts.create(
        {
          type: 'express',
          email: input.email,
          country: input.country,
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
          metadata: { tenantId: input.tenantId }
        },
        { idempotencyKey }
      )
      return { accountId: account.id }
    },

    async createOnboardingLink(input, idempotencyKey) {
      const link = await stripe.accountLinks.create(
        {
          account: input.accountId,
          refresh_url: input.refreshUrl,
          return_url: input.returnUrl,
          type: 'account_onboarding'
        },
        { idempotencyKey }
      )
      return { url: link.url }
    },

    async retrieveAccountStatus(accountId) {
      return toAccountStatus(await stripe.accounts.retrieve(accountId))
    },

    async createCheckoutSession(input: CreateCheckoutSessionInput, idempotencyKey: string) {
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'payment',
          customer_email: input.customerEmail,
          client_reference_id: input.metadata.invoiceId,
          line_items: input.lineItems.map((item) => ({
            quantity: item.quantity,
            price_data: {
              currency: input.currency,
              unit_amount: item.unitAmountMinor,
              product_data: { name: item.description }
            }
          })),
          payment_intent_data: {
            application_fee_amount: input.applicationFeeMinor,
            metadata: input.metadata
          },
          metadata: input.metadata,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl
        },
        { idempotencyKey, stripeAccount: input.accountId }
      )
      return toSessionInfo(session)
    },

    async retrieveCheckoutSession(accountId, sessionId) {
      return toSessionInfo(
        await stripe.checkout.sessions.retrieve(sessionId, {}, { stripeAccount: accountId })
      )
    },

    async expireCheckoutSession(accountId, sessionId, idempotencyKey) {
      return toSessionInfo(
        await stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey, stripeAccount: accountId })
      )
    },

    async refund(input: RefundInput, idempotencyKey: string): Promise<RefundInfo> {
      const refund = await stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          ...(input.amountMinor !== undefined ? { amount: input.amountMinor } : {}),
          metadata: input.metadata
        },
        { idempotencyKey, stripeAccount: input.accountId }
      )
      const charge = refund.charge
      return {
        id: refund.id,
        status: refund.status ?? 'pending',
        amountMinor: refund.amount,
        chargeId: typeof charge === 'string' ? charge : (charge?.id ?? null)
      }
    },

    async retrieveCharge(accountId, chargeId) {
      const charge = await stripe.charges.retrieve(chargeId, {}, { stripeAccount: accountId })
      const intent = charge.payment_intent
      return {
        id: charge.id,
        paymentIntentId: typeof intent === 'string' ? intent : (intent?.id ?? null),
        amountMinor: charge.amount,
        amountRefundedMinor: charge.amount_refunded,
        currency: charge.currency
      }
    },

    async listRecentEvents(accountId, sinceSeconds) {
      const events = await stripe.events
        .list({ created: { gte: sinceSeconds }, limit: 100 }, { stripeAccount: accountId })
        .autoPagingToArray({ limit: 1000 })
      return events.map(
        (event) => ({ ...(event as any), account: event.account ?? accountId }) as ProviderEvent
      )
    },

    verifyWebhook(rawBody, signatureHeader) {
      return verifyStripeSignature(rawBody, signatureHeader, options.webhookSecrets)
    }
  }
}

function toAccountStatus(account: Stripe.Account): ConnectedAccountStatus {
  return {
    accountId: account.id,
    chargesEnabled: Boolean(account.charges_enabled),
    payoutsEnabled: Boolean(account.payouts_enabled),
    detailsSubmitted: Boolean(account.details_submitted),
    requirementsDue: [...(account.requirements?.currently_due ?? [])]
  }
}

function toSessionInfo(session: Stripe.Checkout.Session): CheckoutSessionInfo {
  const intent = session.payment_intent
  return {
    id: session.id,
    url: session.url ?? null,
    status: (session.status ?? 'open') as CheckoutSessionInfo['status'],
    paymentStatus: session.payment_status as CheckoutSessionInfo['paymentStatus'],
    paymentIntentId: typeof intent === 'string' ? intent : (intent?.id ?? null),
    amountTotalMinor: session.amount_total ?? 0,
    currency: session.currency ?? '',
    metadata: { ...(session.metadata ?? {}) }
  }
}
