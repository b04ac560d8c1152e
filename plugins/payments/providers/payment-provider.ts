// The contract every payment provider implements (Stripe for real, the sandbox for the offline demo).
// Every write takes an idempotency key so a retried job never creates a second object at the provider.

/** Connected account state as the dashboard shows it. */
export interface ConnectedAccountStatus {
  accountId: string
  chargesEnabled: boolean
  payoutsEnabled: boolean
  detailsSubmitted: boolean
  /** Requirement keys currently due (e.g. `external_account`). */
  requirementsDue: string[]
}

export interface CheckoutLineItem {
  description: string
  quantity: number
  unitAmountMinor: number
}

export interface CreateCheckoutSessionInput {
  /** The tenant's connected account, always read from the tenant's record. */
  accountId: string
  currency: string
  lineItems: CheckoutLineItem[]
  /** Platform fee kept from the charge, in minor units. */
  applicationFeeMinor: number
  customerEmail: string
  successUrl: string
  cancelUrl: string
  /** Copied to the session and its payment intent, so webhooks map back to local records. */
  metadata: { tenantId: string; invoiceId: string; paymentId: string; invoiceNumber: string }
}

export interface CheckoutSessionInfo {
  id: string
  url: string | null
  status: 'open' | 'complete' | 'expired'
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required'
  /** Null until the customer confirms a payment on the page (Stripe creates the intent then). */
  paymentIntentId: string | null
  amountTotalMinor: number
  currency: string
  metadata: Record<string, string>
}

export interface RefundInput {
  accountId: string
  paymentIntentId: string
  /** Omitted for a full refund. */
  amountMinor?: number
  metadata: { tenantId: string; paymentId: string; refundId: string }
}

/** A charge as the provider reports it now: what is refunded counts pending refunds, not failed ones. */
export interface ChargeInfo {
  id: string
  paymentIntentId: string | null
  amountMinor: number
  amountRefundedMinor: number
  currency: string
}

export interface RefundInfo {
  id: string
  status: string
  amountMinor: number
  /** The refunded charge (re-read with retrieveCharge when the refund changes state). */
  chargeId: string | null
}

/** A provider event as verified from a webhook or listed for reconciliation (Stripe's event shape). */
export interface ProviderEvent {
  id: string
  type: string
  /** Connected account the event belongs to (Connect webhooks); absent for platform events. */
  account?: string
  livemode: boolean
  created: number
  data: { object: Record<string, any> }
}

export interface PaymentProvider {
  readonly name: 'stripe' | 'sandbox'
  /** Events with a different livemode are ignored: a test-mode event never fulfils a live invoice. */
  readonly livemode: boolean
  createConnectedAccount(
    input: { tenantId: string; email?: string; country?: string },
    idempotencyKey: string
  ): Promise<{ accountId: string }>
  createOnboardingLink(
    input: { accountId: string; refreshUrl: string; returnUrl: string },
    idempotencyKey: string
  ): Promise<{ url: string }>
  retrieveAccountStatus(accountId: string): Promise<ConnectedAccountStatus>
  createCheckoutSession(
    input: CreateCheckoutSessionInput,
    idempotencyKey: string
  ): Promise<CheckoutSessionInfo>
  retrieveCheckoutSession(accountId: string, sessionId: string): Promise<CheckoutSessionInfo>
  /** Closes an open session so it can no longer be paid; fails when it is not open (e.g. completed). */
  expireCheckoutSession(
    accountId: string,
    sessionId: string,
    idempotencyKey: string
  ): Promise<CheckoutSessionInfo>
  refund(input: RefundInput, idempotencyKey: string): Promise<RefundInfo>
  /** Reads a charge of the connected account (e.g. after a refund changed state). */
  retrieveCharge(accountId: string, chargeId: string): Promise<ChargeInfo>
  /** Events of one connected account created at or after `sinceSeconds` (unix), newest first. */
  listRecentEvents(accountId: string, sinceSeconds: number): Promise<ProviderEvent[]>
  /** Verifies the signature over the raw body; throws WebhookSignatureError when it does not hold. */
  verifyWebhook(rawBody: Buffer, signatureHeader: string | string[] | undefined): ProviderEvent
}

/** Signature missing, malformed, wrong, or too old: the webhook answers 400 and nothing is stored. */
export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError'
}

/** Seconds a signed webhook stays acceptable (Stripe's default tolerance). */
export const WEBHOOK_TOLERANCE_SECONDS = 300
