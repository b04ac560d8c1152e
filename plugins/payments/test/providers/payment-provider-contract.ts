// The shared contract suite every PaymentProvider must pass (Stripe against the local fake, sandbox).
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type PaymentProvider, WebhookSignatureError } from '../../providers/payment-provider.ts'

export interface ProviderHarness {
  provider: () => PaymentProvider
  /** Signs a payload the way the provider's webhook sender does (Stripe's header format). */
  sign: (payload: string, timestamp?: number) => string
  /** Acts as the customer on the hosted page. */
  pay: (accountId: string, sessionId: string, outcome: 'paid' | 'unpaid') => Promise<void>
}

const metadata = (paymentId = randomUUID()) => ({
  tenantId: 'tenant-a',
  invoiceId: randomUUID(),
  paymentId,
  invoiceNumber: 'AVA-000001'
})

function sessionInput(accountId: string, overrides: Record<string, unknown> = {}) {
  return {
    accountId,
    currency: 'usd',
    lineItems: [
      { description: 'Strong in 12 weeks (live masterclass)', quantity: 1, unitAmountMinor: 19_900 },
      { description: 'Workbook', quantity: 2, unitAmountMinor: 1_050 }
    ],
    applicationFeeMinor: 1_100,
    customerEmail: 'lead@example.com',
    successUrl: 'http://ava-fit.localhost/pay/success',
    cancelUrl: 'http://ava-fit.localhost/pay/cancelled',
    metadata: metadata(),
    ...overrides
  }
}

export function paymentProviderContract(name: string, harness: ProviderHarness): void {
  describe(`PaymentProvider contract: ${name}`, () => {
    async function connectedAccount(): Promise<string> {
      const { accountId } = await harness
        .provider()
        .createConnectedAccount({ tenantId: 'tenant-a', email: 'host@example.com' }, `acct-${randomUUID()}`)
      return accountId
    }

    it('creates one connected account per idempotency key and reports its onboarding state', async () => {
      const provider = harness.provider()
      const key = `acct-${randomUUID()}`
      const first = await provider.createConnectedAccount(
        { tenantId: 'tenant-a', email: 'host@example.com' },
        key
      )
      const again = await provider.createConnectedAccount(
        { tenantId: 'tenant-a', email: 'host@example.com' },
        key
      )
      expect(first.accountId).toMatch(/^acct_/)
      expect(again.accountId).toBe(first.accountId)
      const status = await provider.retrieveAccountStatus(first.accountId)
      expect(status).toMatchObject({ accountId: first.accountId, chargesEnabled: false })
      expect(status.requirementsDue.length).toBeGreaterThan(0)
      const link = await provider.createOnboardingLink(
        {
          accountId: first.accountId,
          refreshUrl: 'http://dashboard.localhost/payments/connect?refresh=1',
          returnUrl: 'http://dashboard.localhost/payments/connect?done=1'
        },
        `onboarding-${randomUUID()}`
      )
      expect(link.url).toMatch(/^https?:\/\//)
    })

    it('opens a checkout session on the connected account with the summed amount and metadata', async () => {
      const accountId = await connectedAccount()
      const input = sessionInput(accountId)
      const session = await harness.provider().createCheckoutSession(input, `cs-${randomUUID()}`)
      expect(session.id).toMatch(/^cs_/)
      expect(session.url).toMatch(/^https?:\/\//)
      expect(session).toMatchObject({
        status: 'open',
        paymentStatus: 'unpaid',
        amountTotalMinor: 22_000,
        currency: 'usd'
      })
      expect(session.metadata).toMatchObject(input.metadata)
      // Stripe creates the intent when the customer confirms: nothing may rely on it at creation.
      if (session.paymentIntentId !== null) expect(session.paymentIntentId).toMatch(/^pi_/)
    })

    it('replays the same session for a reused idempotency key and refuses the key with other parameters', async () => {
      const accountId = await connectedAccount()
      const key = `cs-${randomUUID()}`
      const input = sessionInput(accountId)
      const first = await harness.provider().createCheckoutSession(input, key)
      const retried = await harness.provider().createCheckoutSession(input, key)
      expect(retried.id).toBe(first.id)
      await expect(
        harness.provider().createCheckoutSession({ ...input, applicationFeeMinor: 1 }, key)
      ).rejects.toThrow(/idempotent/i)
    })

    it('expires an open session (it can no longer be paid) and refuses to expire a completed one', async () => {
      const provider = harness.provider()
      const accountId = await connectedAccount()
      const open = await provider.createCheckoutSession(sessionInput(accountId), `cs-${randomUUID()}`)
      const expired = await provider.expireCheckoutSession(accountId, open.id, `expire-${randomUUID()}`)
      expect(expired).toMatchObject({ id: open.id, status: 'expired' })
      expect((await provider.retrieveCheckoutSession(accountId, open.id)).status).toBe('expired')
      const paid = await provider.createCheckoutSession(sessionInput(accountId), `cs-${randomUUID()}`)
      await harness.pay(accountId, paid.id, 'paid')
      await expect(
        provider.expireCheckoutSession(accountId, paid.id, `expire-${randomUUID()}`)
      ).rejects.toThrow(/open/)
    })

    it('does not show a session to another connected account', async () => {
      const accountId = await connectedAccount()
      const otherAccountId = await connectedAccount()
      const session = await harness
        .provider()
        .createCheckoutSession(sessionInput(accountId), `cs-${randomUUID()}`)
      await expect(harness.provider().retrieveCheckoutSession(otherAccountId, session.id)).rejects.toThrow(
        /No such/i
      )
    })

    it('reflects payment, lists the account events and refunds partially, once per key', async () => {
      const provider = harness.provider()
      const accountId = await connectedAccount()
      const since = Math.floor(Date.now() / 1000) - 1
      const session = await provider.createCheckoutSession(sessionInput(accountId), `cs-${randomUUID()}`)
      await harness.pay(accountId, session.id, 'paid')
      const paid = await provider.retrieveCheckoutSession(accountId, session.id)
      expect(paid).toMatchObject({ status: 'complete', paymentStatus: 'paid' })
      expect(paid.paymentIntentId).toMatch(/^pi_/)
      const events = await provider.listRecentEvents(accountId, since)
      const completed = events.find((event) => event.type === 'checkout.session.completed')
      expect(completed?.account).toBe(accountId)
      expect(completed?.data.object.id).toBe(session.id)
      const key = `re-${randomUUID()}`
      const refundInput = {
        accountId,
        paymentIntentId: paid.paymentIntentId!,
        amountMinor: 5_000,
        metadata: { tenantId: 'tenant-a', paymentId: 'p1', refundId: 'r1' }
      }
      const refund = await provider.refund(refundInput, key)
      expect(refund).toMatchObject({ amountMinor: 5_000 })
      expect(refund.chargeId).toMatch(/^ch_/)
      expect(await provider.retrieveCharge(accountId, refund.chargeId!)).toMatchObject({
        id: refund.chargeId,
        paymentIntentId: paid.paymentIntentId,
        amountMinor: 22_000,
        amountRefundedMinor: 5_000
      })
      expect((await provider.refund(refundInput, key)).id).toBe(refund.id)
    })

    describe('webhook verification', () => {
      const payload = JSON.stringify({
        id: `evt_${randomUUID()}`,
        object: 'event',
        type: 'checkout.session.completed',
        account: 'acct_x',
        livemode: false,
        created: 1,
        data: { object: { id: 'cs_x' } }
      })

      it('accepts a correctly signed raw body', () => {
        const event = harness.provider().verifyWebhook(Buffer.from(payload), harness.sign(payload))
        expect(event).toMatchObject({ type: 'checkout.session.completed', account: 'acct_x' })
      })

      it('refuses a missing signature', () => {
        expect(() => harness.provider().verifyWebhook(Buffer.from(payload), undefined)).toThrow(
          WebhookSignatureError
        )
      })

      it('refuses a signature made with another secret', () => {
        const forged = harness.sign(payload).replace(/v1=[0-9a-f]+/, `v1=${'ab'.repeat(32)}`)
        expect(() => harness.provider().verifyWebhook(Buffer.from(payload), forged)).toThrow(
          WebhookSignatureError
        )
      })

      it('refuses a re-serialized body (same JSON, different bytes)', () => {
        const reserialized = JSON.stringify(JSON.parse(payload), null, 2)
        expect(() =>
          harness.provider().verifyWebhook(Buffer.from(reserialized), harness.sign(payload))
        ).toThrow(WebhookSignatureError)
      })

      it('refuses a timestamp older than 300 seconds', () => {
        const old = Math.floor(Date.now() / 1000) - 301
        expect(() =>
          harness.provider().verifyWebhook(Buffer.from(payload), harness.sign(payload, old))
        ).toThrow(WebhookSignatureError)
      })
    })
  })
}
