// Shared setup of the webhook tests: the app on the Stripe provider (SDK → local fake), a connected
// account for a tenant, invoices opened for payment, and signed event deliveries.
import { randomUUID } from 'node:crypto'
import type { HttpOptions } from '@masterstage/core/testing'
import Stripe from 'stripe'
import { afterAll, beforeAll } from 'vitest'
import type { PaymentsPlatformConfig } from '../../platform-config.ts'
import type { ProviderEvent } from '../../providers/payment-provider.ts'
import { eventually, type PaymentsTestApp, startPaymentsApp } from './payments-app.ts'
import { StripeFake } from './stripe-fake.ts'

export const WEBHOOK_SECRET = 'whsec_connect_endpoint_test'
const signer = new Stripe('sk_test_signer')

export interface StripeScenario {
  fake: StripeFake
  harness: PaymentsTestApp
  tokens: { ava: string; marco: string }
  accounts: { ava: string }
  close(): Promise<void>
}

export interface StripeScenarioOptions {
  faults?: { afterProviderCall?: (id: string) => void }
  /** Payments settings of both tenants (undefined removes a default). */
  settings?: Record<string, unknown>
}

export async function startStripeScenario(
  name: string,
  options: StripeScenarioOptions = {}
): Promise<StripeScenario> {
  const secretKey = `sk_test_${randomUUID().replaceAll('-', '')}`
  const fake = new StripeFake(secretKey)
  await fake.start()
  const platform: PaymentsPlatformConfig = {
    provider: 'stripe',
    stripe: {
      secretKey,
      webhookSecrets: [WEBHOOK_SECRET],
      api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
      maxNetworkRetries: 0
    },
    reconcileLookbackSeconds: 3600
  }
  const harness = await startPaymentsApp(name, {
    platform,
    faults: options.faults,
    settings: options.settings
  })
  const tokens = {
    ava: await harness.login(harness.tenants.ava.hostEmail, harness.tenants.ava._id),
    marco: await harness.login(harness.tenants.marco.hostEmail, harness.tenants.marco._id)
  }
  const connect = await harness.http.post(
    '/payments/connect',
    {},
    { token: tokens.ava, tenant: harness.tenants.ava._id }
  )
  if (connect.status !== 201)
    throw new Error(`connect failed: ${connect.status} ${JSON.stringify(connect.body)}`)
  const accountId = [...fake.accounts.keys()].at(-1)!
  return {
    fake,
    harness,
    tokens,
    accounts: { ava: accountId },
    async close() {
      await harness.close()
      await fake.stop()
    }
  }
}

/**
 * Registers the file's beforeAll/afterAll that start and close one scenario; the returned scenario is filled
 * before the first test (read it inside hooks and tests only).
 */
export function useStripeScenario(name: string, options: StripeScenarioOptions = {}): StripeScenario {
  const scenario = {} as StripeScenario
  beforeAll(async () => {
    Object.assign(scenario, await startStripeScenario(name, options))
  })
  afterAll(async () => {
    // Absent when the start failed: nothing to close.
    await (scenario as Partial<StripeScenario>).close?.()
  })
  return scenario
}

/** Request options as the host of `who`'s tenant (its token and tenant), plus `extra` (e.g. serviceMethod). */
export function asHost(
  scenario: StripeScenario,
  who: 'ava' | 'marco' = 'ava',
  extra: HttpOptions = {}
): HttpOptions {
  return { token: scenario.tokens[who], tenant: scenario.harness.tenants[who]._id, ...extra }
}

/** Issues an invoice for ava and opens its checkout; returns ids and the fake's session. */
export async function openInvoice(scenario: StripeScenario, amountMinor = 19_900) {
  const { harness, tokens } = scenario
  const tenant = harness.tenants.ava._id
  const created = await harness.http.post(
    '/payments/invoices',
    {
      customer: { name: 'Jamie Doe', email: `jamie-${randomUUID().slice(0, 8)}@example.com` },
      lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: amountMinor }]
    },
    { token: tokens.ava, tenant }
  )
  if (created.status !== 201)
    throw new Error(`invoice failed: ${created.status} ${JSON.stringify(created.body)}`)
  const checkout = await harness.http.post(
    '/payments/checkout',
    { invoiceId: created.body._id },
    { token: tokens.ava, tenant }
  )
  if (checkout.status !== 201)
    throw new Error(`checkout failed: ${checkout.status} ${JSON.stringify(checkout.body)}`)
  const opened = [...scenario.fake.sessions.values()].find(
    (candidate) => candidate.metadata.invoiceId === created.body._id
  )!
  // The session as its events show it once the customer confirmed: with the payment intent Stripe
  // creates then (the API answered `payment_intent: null` at creation).
  const session: Record<string, any> = { ...opened, payment_intent: scenario.fake.intentOf(opened.id) }
  return { invoice: created.body, paymentId: checkout.body.paymentId as string, session }
}

export function eventFor(
  account: string,
  type: string,
  object: Record<string, any>,
  overrides: Record<string, any> = {}
) {
  return {
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    type,
    account,
    livemode: false,
    created: Math.floor(Date.now() / 1000),
    data: { object },
    ...overrides
  }
}

/** Stripe's `checkout.session.completed` for a session opened by openInvoice. */
export function sessionCompleted(session: Record<string, any>, paymentStatus: 'paid' | 'unpaid') {
  return eventFor(session.account, 'checkout.session.completed', {
    ...session,
    status: 'complete',
    payment_status: paymentStatus
  })
}

/** Stripe's `payment_intent.succeeded` for the whole amount of a session opened by openInvoice. */
export function intentSucceeded(session: Record<string, any>) {
  return eventFor(session.account, 'payment_intent.succeeded', {
    id: session.payment_intent,
    object: 'payment_intent',
    amount: session.amount_total,
    amount_received: session.amount_total,
    status: 'succeeded',
    metadata: session.metadata
  })
}

/** Stripe's `charge.dispute.created` (needs_response, fraudulent) over the whole amount of a session. */
export function disputeCreated(
  session: Record<string, any>,
  disputeId: string,
  paymentIntent: string = session.payment_intent
) {
  return eventFor(session.account, 'charge.dispute.created', {
    id: disputeId,
    object: 'dispute',
    payment_intent: paymentIntent,
    amount: session.amount_total,
    status: 'needs_response',
    reason: 'fraudulent',
    metadata: {}
  })
}

export function sign(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
  return signer.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    timestamp: options.timestamp
  })
}

export function deliver(scenario: StripeScenario, event: unknown, headers?: Record<string, string>) {
  const payload = JSON.stringify(event)
  return fetch(`${scenario.harness.url}/webhooks/payments/stripe`, {
    method: 'POST',
    headers: headers ?? { 'content-type': 'application/json', 'stripe-signature': sign(payload) },
    body: payload
  }).then(async (response) => ({
    status: response.status,
    body: (await response.json().catch(() => null)) as any
  }))
}

export function paymentOf(scenario: StripeScenario, paymentId: string): Promise<Record<string, any> | null> {
  const runtime = scenario.harness.runtime
  return runWithTenant(scenario, () => runtime.models.payments.findOne({ _id: paymentId }).lean().exec())
}

export function invoiceOf(scenario: StripeScenario, invoiceId: string): Promise<Record<string, any> | null> {
  return runWithTenant(scenario, () =>
    scenario.harness.runtime.models.invoices.findOne({ _id: invoiceId }).lean().exec()
  )
}

export async function runWithTenant<T>(scenario: StripeScenario, work: () => Promise<T>): Promise<T> {
  const { runAsSystem } = await import('@masterstage/core')
  return runAsSystem('test', scenario.harness.tenants.ava._id, async () => await work())
}

/** Stores events as the endpoint does (state `received`, routed to ava) without processing them. */
export async function storeReceived(
  scenario: StripeScenario,
  events: ProviderEvent[],
  receivedAt = new Date()
): Promise<void> {
  const runtime = scenario.harness.runtime
  await runtime.models.webhookEvents.insertMany(
    events.map((event) => ({
      _id: event.id,
      type: event.type,
      provider: 'stripe',
      accountHash: runtime.accountHash(event.account!),
      tenantId: scenario.harness.tenants.ava._id,
      livemode: false,
      created: event.created,
      payload: JSON.stringify(event),
      state: 'received',
      attempts: 0,
      receivedAt,
      source: 'webhook'
    })),
    { lean: true }
  )
}

/** Outbox entries of one event name (and payment), straight from core's event store. */
export async function outboxCount(
  scenario: StripeScenario,
  name: string,
  filter: Record<string, unknown> = {}
) {
  const bus = scenario.harness.app.get('events') as any
  return bus.store.outbox.countDocuments({ name, ...filter })
}

export { eventually }
