// Offline PaymentProvider for the demo: keeps Stripe-shaped objects in MongoDB and, when the simulated
// hosted page is paid, signs Stripe-format events and POSTs them to the real webhook route, so the
// demo exercises exactly the processing code that runs against Stripe.
import { createHash, randomBytes } from 'node:crypto'
import { isDuplicateKeyError } from '@masterstage/core'
import mongoose, { type Model } from 'mongoose'
import Stripe from 'stripe'
import type { CheckoutSessionInfo, PaymentProvider, ProviderEvent } from '../payment-provider.ts'
import { verifyStripeSignature } from '../stripe/verify-signature.ts'
import type { SandboxObject } from './sandbox-model.ts'

export interface SandboxProviderOptions {
  model: Model<SandboxObject, any, any, any, any, any>
  webhookSecret: string
  /** Base URL of the simulated hosted page, e.g. `http://localhost:3030/payments-sandbox/checkout`. */
  checkoutPageUrl: string
  /** Where signed events are POSTed: the plugin's own webhook route. */
  webhookUrl: string
}

export type SandboxOutcome = 'pay' | 'pay-delayed' | 'fail' | 'expire'

export interface SandboxProvider extends PaymentProvider {
  readonly name: 'sandbox'
  /** What the hosted page's buttons do: update the session and deliver the signed events. */
  completeCheckout(sessionId: string, outcome: SandboxOutcome): Promise<ProviderEvent[]>
  /** The delayed method settles (or fails) later, like SEPA or bank transfers. */
  settleDelayed(sessionId: string, succeeded: boolean): Promise<ProviderEvent[]>
  session(sessionId: string): Promise<Record<string, any> | null>
  /** Signs and delivers an event as Stripe would (also used by tests and the bench). */
  deliver(event: ProviderEvent): Promise<number>
}

export class SandboxIdempotencyError extends Error {
  override name = 'SandboxIdempotencyError'
}

const signer = new Stripe('sk_test_sandbox_signing_only')

export function createSandboxProvider(options: SandboxProviderOptions): SandboxProvider {
  const { model } = options
  const newId = (prefix: string) => `${prefix}_sbx${randomBytes(10).toString('hex')}`

  /** Stripe semantics: the first response of a key is replayed; reusing it with other params fails. */
  async function idempotent(
    account: string | null,
    key: string,
    params: unknown,
    create: () => Promise<SandboxObject>
  ): Promise<SandboxObject> {
    const scope = `idem:${account ?? 'platform'}:${key}`
    const hash = createHash('sha256').update(JSON.stringify(params)).digest('hex')
    const existing = await model.findById(scope).lean()
    if (existing) return replay(existing, hash)
    const created = await create()
    try {
      await model.create({
        _id: scope,
        kind: 'idempotency',
        account,
        data: { objectId: created._id, hash },
        createdAt: new Date()
      })
      return created
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error
      // Lost a race with a concurrent request using the same key: keep the winner's object only.
      await model.deleteOne({ _id: created._id })
      return replay((await model.findById(scope).lean())!, hash)
    }
  }

  async function replay(record: SandboxObject, hash: string): Promise<SandboxObject> {
    if (record.data.hash !== hash) {
      throw new SandboxIdempotencyError(
        'Keys for idempotent requests can only be used with the same parameters'
      )
    }
    return (await model.findById(record.data.objectId).lean())!
  }

  async function recordEvent(
    account: string,
    type: string,
    object: Record<string, any>
  ): Promise<ProviderEvent> {
    const event: ProviderEvent = {
      id: newId('evt'),
      type,
      account,
      livemode: false,
      created: Math.floor(Date.now() / 1000),
      data: { object: structuredClone(object) }
    }
    await model.create({ _id: event.id, kind: 'event', account, data: event, createdAt: new Date() })
    return event
  }

  async function deliver(event: ProviderEvent): Promise<number> {
    const payload = JSON.stringify({ object: 'event', api_version: '2026-10-28.endive', ...event })
    const signature = signer.webhooks.generateTestHeaderString({ payload, secret: options.webhookSecret })
    const response = await fetch(options.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload
    })
    await response.arrayBuffer()
    return response.status
  }

  async function loadSession(sessionId: string): Promise<Record<string, any>> {
    const stored = await model.findOne({ _id: sessionId, kind: 'session' }).lean()
    if (!stored) throw new Error(`No such checkout.session: ${sessionId}`)
    return stored.data
  }

  async function saveSession(session: Record<string, any>): Promise<void> {
    await model.updateOne({ _id: session.id }, { $set: { data: session } })
  }

  function intentOf(session: Record<string, any>, status: string): Record<string, any> {
    return {
      id: session.payment_intent,
      object: 'payment_intent',
      amount: session.amount_total,
      amount_received: status === 'succeeded' ? session.amount_total : 0,
      currency: session.currency,
      status,
      metadata: session.metadata
    }
  }

  async function deliverAll(events: ProviderEvent[]): Promise<ProviderEvent[]> {
    for (const event of events) await deliver(event)
    return events
  }

  return {
    name: 'sandbox',
    livemode: false,

    async createConnectedAccount(input, idempotencyKey) {
      const account = await idempotent(null, idempotencyKey, input, async () => {
        const id = newId('acct')
        const data = {
          id,
          object: 'account',
          email: input.email ?? null,
          charges_enabled: false,
          payouts_enabled: false,
          details_submitted: false,
          requirements: { currently_due: ['sandbox_onboarding'] },
          metadata: { tenantId: input.tenantId }
        }
        await model.create({ _id: id, kind: 'account', account: id, data, createdAt: new Date() })
        return { _id: id, kind: 'account', account: id, data, createdAt: new Date() }
      })
      return { accountId: account._id }
    },

    // Visiting completes onboarding at once and is harmless to repeat: the key has nothing to guard.
    async createOnboardingLink(input, _idempotencyKey) {
      const account = await model.findOne({ _id: input.accountId, kind: 'account' }).lean()
      if (!account) throw new Error(`No such account: ${input.accountId}`)
      // The sandbox has nothing to collect: visiting the link completes onboarding at once.
      const data = {
        ...account.data,
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
        requirements: { currently_due: [] }
      }
      await model.updateOne({ _id: input.accountId }, { $set: { data } })
      const event = await recordEvent(input.accountId, 'account.updated', data)
      // Best effort, as with Stripe, whose missed deliveries are retried: the status is read from the
      // account anyway, and reconciliation lists the recorded event. The demo seed connects the demo
      // tenants before the API listens, so this delivery has nowhere to go then.
      await deliver(event).catch(() => undefined)
      return { url: input.returnUrl }
    },

    async retrieveAccountStatus(accountId) {
      const account = await model.findOne({ _id: accountId, kind: 'account' }).lean()
      if (!account) throw new Error(`No such account: ${accountId}`)
      return {
        accountId,
        chargesEnabled: Boolean(account.data.charges_enabled),
        payoutsEnabled: Boolean(account.data.payouts_enabled),
        detailsSubmitted: Boolean(account.data.details_submitted),
        requirementsDue: [...(account.data.requirements?.currently_due ?? [])]
      }
    },

    async createCheckoutSession(input, idempotencyKey) {
      if (!input.accountId) throw new Error('Direct charges need the connected account')
      const total = input.lineItems.reduce((sum, item) => sum + item.unitAmountMinor * item.quantity, 0)
      if (!Number.isInteger(input.applicationFeeMinor) || input.applicationFeeMinor > total) {
        throw new Error('application_fee_amount must be an integer ≤ the total')
      }
      const stored = await idempotent(input.accountId, idempotencyKey, input, async () => {
        const id = newId('cs_test')
        const data = {
          id,
          object: 'checkout.session',
          account: input.accountId,
          status: 'open',
          payment_status: 'unpaid',
          amount_total: total,
          currency: input.currency,
          customer_email: input.customerEmail,
          payment_intent: newId('pi'),
          application_fee_amount: input.applicationFeeMinor,
          metadata: input.metadata,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          url: `${options.checkoutPageUrl}/${id}`,
          livemode: false
        }
        await model.create({
          _id: id,
          kind: 'session',
          account: input.accountId,
          data,
          createdAt: new Date()
        })
        return { _id: id, kind: 'session', account: input.accountId, data, createdAt: new Date() }
      })
      return toSessionInfo(stored.data)
    },

    async retrieveCheckoutSession(accountId, sessionId) {
      const session = await loadSession(sessionId)
      if (session.account !== accountId) throw new Error(`No such checkout.session: ${sessionId}`)
      return toSessionInfo(session)
    },

    async expireCheckoutSession(accountId, sessionId, _idempotencyKey) {
      const session = await loadSession(sessionId)
      if (session.account !== accountId) throw new Error(`No such checkout.session: ${sessionId}`)
      if (session.status !== 'open')
        throw new Error('Only Checkout Sessions with a status of open can be expired')
      session.status = 'expired'
      await saveSession(session)
      // Stripe announces it with checkout.session.expired, after answering the call; so does the sandbox.
      const event = await recordEvent(session.account, 'checkout.session.expired', session)
      setImmediate(() => void deliver(event).catch(() => undefined))
      return toSessionInfo(session)
    },

    async refund(input, idempotencyKey) {
      const stored = await idempotent(input.accountId, idempotencyKey, input, async () => {
        const session = await model
          .findOne({
            kind: 'session',
            account: input.accountId,
            'data.payment_intent': input.paymentIntentId
          })
          .lean()
        if (!session) throw new Error(`No such payment_intent: ${input.paymentIntentId}`)
        const already = Number(session.data.amount_refunded ?? 0)
        const amount = input.amountMinor ?? session.data.amount_total - already
        if (amount <= 0 || already + amount > session.data.amount_total)
          throw new Error('Refund exceeds the charge')
        const id = newId('re')
        const data = {
          id,
          object: 'refund',
          amount,
          charge: `ch_${String(input.paymentIntentId).slice(3)}`,
          payment_intent: input.paymentIntentId,
          status: 'succeeded',
          metadata: input.metadata
        }
        await model.create({ _id: id, kind: 'refund', account: input.accountId, data, createdAt: new Date() })
        const updated: Record<string, any> = { ...session.data, amount_refunded: already + amount }
        await saveSession(updated)
        const charge = {
          id: `ch_${String(input.paymentIntentId).slice(3)}`,
          object: 'charge',
          payment_intent: input.paymentIntentId,
          amount: updated.amount_total,
          amount_refunded: updated.amount_refunded,
          refunded: updated.amount_refunded >= updated.amount_total,
          currency: updated.currency,
          metadata: updated.metadata
        }
        // Stripe sends charge.refunded asynchronously; so does the sandbox (after answering the call).
        const event = await recordEvent(input.accountId, 'charge.refunded', charge)
        setImmediate(() => void deliver(event).catch(() => undefined))
        return { _id: id, kind: 'refund', account: input.accountId, data, createdAt: new Date() }
      })
      return {
        id: stored.data.id,
        status: stored.data.status,
        amountMinor: stored.data.amount,
        chargeId: stored.data.charge ?? null
      }
    },

    async retrieveCharge(accountId, chargeId) {
      // Sandbox charges are named after their intent (`ch_<x>` for `pi_<x>`), as its refunds report them.
      const paymentIntentId = `pi_${String(chargeId).slice(3)}`
      const session = await model
        .findOne({ kind: 'session', account: accountId, 'data.payment_intent': paymentIntentId })
        .lean()
      if (!session) throw new Error(`No such charge: ${chargeId}`)
      return {
        id: chargeId,
        paymentIntentId,
        amountMinor: session.data.amount_total,
        amountRefundedMinor: Number(session.data.amount_refunded ?? 0),
        currency: session.data.currency
      }
    },

    async listRecentEvents(accountId, sinceSeconds) {
      const events = await model
        .find({
          kind: 'event',
          account: accountId,
          createdAt: mongoose.trusted({ $gte: new Date(sinceSeconds * 1000) })
        })
        .sort({ createdAt: -1 })
        .lean()
      return events.map((event: SandboxObject) => event.data as ProviderEvent)
    },

    verifyWebhook(rawBody, signatureHeader) {
      return verifyStripeSignature(rawBody, signatureHeader, [options.webhookSecret])
    },

    async completeCheckout(sessionId, outcome) {
      const session = await loadSession(sessionId)
      if (session.status !== 'open') return []
      const events: ProviderEvent[] = []
      if (outcome === 'expire') {
        Object.assign(session, { status: 'expired' })
        await saveSession(session)
        events.push(await recordEvent(session.account, 'checkout.session.expired', session))
      } else if (outcome === 'fail') {
        // A declined card leaves the session open (the customer may retry); only the intent fails.
        events.push(
          await recordEvent(
            session.account,
            'payment_intent.payment_failed',
            intentOf(session, 'requires_payment_method')
          )
        )
      } else {
        const paid = outcome === 'pay'
        Object.assign(session, { status: 'complete', payment_status: paid ? 'paid' : 'unpaid' })
        await saveSession(session)
        events.push(await recordEvent(session.account, 'checkout.session.completed', session))
        if (paid)
          events.push(
            await recordEvent(session.account, 'payment_intent.succeeded', intentOf(session, 'succeeded'))
          )
      }
      return deliverAll(events)
    },

    async settleDelayed(sessionId, succeeded) {
      const session = await loadSession(sessionId)
      if (session.payment_status !== 'unpaid' || session.status !== 'complete') return []
      session.payment_status = succeeded ? 'paid' : 'unpaid'
      await saveSession(session)
      const type = succeeded
        ? 'checkout.session.async_payment_succeeded'
        : 'checkout.session.async_payment_failed'
      return deliverAll([await recordEvent(session.account, type, session)])
    },

    async session(sessionId) {
      return (await model.findOne({ _id: sessionId, kind: 'session' }).lean())?.data ?? null
    },

    deliver
  }
}

function toSessionInfo(session: Record<string, any>): CheckoutSessionInfo {
  return {
    id: session.id,
    url: session.url,
    status: session.status,
    paymentStatus: session.payment_status,
    paymentIntentId: session.payment_intent,
    amountTotalMinor: session.amount_total,
    currency: session.currency,
    metadata: { ...session.metadata }
  }
}
