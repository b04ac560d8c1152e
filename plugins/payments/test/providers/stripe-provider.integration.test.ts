// Runs the provider contract against the real Stripe SDK talking to a local fake of the Stripe API,
// and asserts what reached the wire: bearer key, Stripe-Account, Idempotency-Key, amounts and fee.
import { randomUUID } from 'node:crypto'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PaymentProvider } from '../../providers/payment-provider.ts'
import { createStripeProvider } from '../../providers/stripe/stripe-provider.ts'
import { masterclassCheckout } from '../support/checkout-input.ts'
import { StripeFake } from '../support/stripe-fake.ts'
import { paymentProviderContract } from './payment-provider-contract.ts'

const SECRET_KEY = `sk_test_${randomUUID().replaceAll('-', '')}`
const WEBHOOK_SECRET = 'whsec_contract_test'
const fake = new StripeFake(SECRET_KEY)
let provider: PaymentProvider
const signer = new Stripe('sk_test_signer')

beforeAll(async () => {
  await fake.start()
  provider = createStripeProvider({
    secretKey: SECRET_KEY,
    webhookSecrets: ['whsec_other_endpoint', WEBHOOK_SECRET],
    api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
    maxNetworkRetries: 0
  })
})
afterAll(() => fake.stop())

paymentProviderContract('stripe (SDK → local fake)', {
  provider: () => provider,
  sign: (payload, timestamp) =>
    signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp }),
  pay: async (_account, sessionId, outcome) => void fake.completeSession(sessionId, outcome)
})

describe('stripe provider on the wire', () => {
  it('sends the platform key, the tenant account, the idempotency key, integer amounts and the fee', async () => {
    const { accountId } = await provider.createConnectedAccount({ tenantId: 't1' }, `acct-${randomUUID()}`)
    const key = `checkout:${randomUUID()}`
    await provider.createCheckoutSession(
      masterclassCheckout(accountId, {
        currency: 'eur',
        unitAmountMinor: 4_999,
        applicationFeeMinor: 250,
        metadata: { tenantId: 't1', invoiceId: 'inv1', paymentId: 'pay1', invoiceNumber: 'T-000001' }
      }),
      key
    )
    const request = fake.writesTo('/v1/checkout/sessions').at(-1)!
    expect(request.authorization).toBe(`Bearer ${SECRET_KEY}`)
    expect(request.stripeAccount).toBe(accountId)
    expect(request.idempotencyKey).toBe(key)
    expect(request.form.line_items[0].price_data).toMatchObject({ unit_amount: '4999', currency: 'eur' })
    expect(request.form.payment_intent_data.application_fee_amount).toBe('250')
    expect(request.form.payment_intent_data.metadata).toMatchObject({ paymentId: 'pay1', tenantId: 't1' })
    expect(request.form.mode).toBe('payment')
  })

  it('sends refunds on the connected account with their idempotency key', async () => {
    const { accountId } = await provider.createConnectedAccount({ tenantId: 't1' }, `acct-${randomUUID()}`)
    const session = await provider.createCheckoutSession(
      masterclassCheckout(accountId, {
        currency: 'usd',
        unitAmountMinor: 1_000,
        applicationFeeMinor: 0,
        metadata: { tenantId: 't1', invoiceId: 'inv2', paymentId: 'pay2', invoiceNumber: 'T-000002' }
      }),
      `cs-${randomUUID()}`
    )
    expect(session.paymentIntentId).toBeNull()
    fake.completeSession(session.id, 'paid')
    const paid = await provider.retrieveCheckoutSession(accountId, session.id)
    expect(paid.paymentIntentId).toMatch(/^pi_/)
    await provider.refund(
      {
        accountId,
        paymentIntentId: paid.paymentIntentId!,
        metadata: { tenantId: 't1', paymentId: 'pay2', refundId: 'r9' }
      },
      'refund:r9'
    )
    const request = fake.writesTo('/v1/refunds').at(-1)!
    expect(request).toMatchObject({ stripeAccount: accountId, idempotencyKey: 'refund:r9' })
    expect(request.form.amount).toBeUndefined()
  })

  it('sends an Idempotency-Key with every write, the onboarding link included', async () => {
    const { accountId } = await provider.createConnectedAccount({ tenantId: 't3' }, `acct-${randomUUID()}`)
    const before = fake.requests.length
    const key = `onboarding-link:t3:${randomUUID()}`
    await provider.createOnboardingLink(
      { accountId, refreshUrl: 'http://d.localhost/refresh', returnUrl: 'http://d.localhost/done' },
      key
    )
    const link = fake.writesTo('/v1/account_links').at(-1)!
    expect(link.idempotencyKey).toBe(key)
    const writes = fake.requests.filter((request) => request.method === 'POST')
    expect(writes.length).toBeGreaterThan(0)
    expect(writes.filter((request) => !request.idempotencyKey)).toEqual([])
    expect(fake.requests.length).toBeGreaterThan(before)
  })

  it('is refused by the API with a wrong platform key', async () => {
    const wrong = createStripeProvider({
      secretKey: 'sk_test_wrong',
      webhookSecrets: [WEBHOOK_SECRET],
      api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
      maxNetworkRetries: 0
    })
    await expect(wrong.retrieveAccountStatus('acct_x')).rejects.toThrow(/Invalid API Key/)
  })
})
