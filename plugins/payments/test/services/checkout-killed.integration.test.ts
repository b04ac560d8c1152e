// Issue #6's crash case with a real process kill: a second API process opens an invoice's checkout with the
// real Stripe SDK against the HTTP fake and is SIGKILLed right after Stripe answered, before our database
// write; the retry (this process) reuses the idempotency key, so Stripe holds one session and we one payment.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runAsSystem } from '@masterstage/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openCheckoutAsSystem } from '../../plugin.ts'
import type { CheckoutChildRequest } from '../support/checkout-child.ts'
import { type StripeScenario, startStripeScenario } from '../support/stripe-scenario.ts'

const CHILD = fileURLToPath(new URL('../support/checkout-child.ts', import.meta.url))

let scenario: StripeScenario
beforeAll(async () => {
  scenario = await startStripeScenario('checkout-killed')
})
afterAll(() => scenario?.close())

/** Runs the checkout in a child process; resolves with how it ended. */
function checkoutInKilledProcess(
  request: CheckoutChildRequest
): Promise<{ signal: string | null; said?: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let said: string | undefined
    child.on('message', (message) => {
      said = String(message)
    })
    child.once('error', reject)
    child.once('exit', (_code, signal) => resolve({ signal, said }))
    child.send(request)
  })
}

it('a process killed between the Stripe call and its database write: the retry makes one session and one payment', async () => {
  const { harness, fake } = scenario
  const tenantId = harness.tenants.ava._id
  const created = await harness.http.post(
    '/payments/invoices',
    {
      customer: { name: 'Kim Crash', email: 'kim.crash@example.com' },
      lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: 25_000 }]
    },
    { token: scenario.tokens.ava, tenant: tenantId }
  )
  expect(created.status).toBe(201)
  const invoiceId = created.body._id as string
  const { encryptionKey, ...config } = harness.config

  const ended = await checkoutInKilledProcess({
    config: { ...config, encryptionKeyHex: encryptionKey.toString('hex') },
    platform: {
      provider: 'stripe',
      stripe: {
        secretKey: fake.secretKey,
        webhookSecrets: ['whsec_unused'],
        api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
        maxNetworkRetries: 0
      },
      reconcileLookbackSeconds: 3600
    },
    tenantId,
    invoiceId
  })
  expect(ended).toEqual({ signal: 'SIGKILL', said: undefined })
  const sessionsOf = () =>
    [...fake.sessions.values()].filter((session) => session.metadata.invoiceId === invoiceId)
  // Stripe created the session; our record of it never got written.
  expect(sessionsOf()).toHaveLength(1)
  const paymentsOf = () =>
    runAsSystem(
      'test',
      tenantId,
      async () => await harness.runtime.models.payments.find({ invoiceId }).lean().exec()
    )
  const before = await paymentsOf()
  expect(before).toHaveLength(1)
  expect(before[0].checkoutSessionId ?? null).toBeNull()

  const retried = await openCheckoutAsSystem(harness.runtime, tenantId, invoiceId)
  const writes = fake
    .writesTo('/v1/checkout/sessions')
    .filter((request) => request.form.metadata?.invoiceId === invoiceId)
  expect(writes).toHaveLength(2)
  expect(new Set(writes.map((request) => request.idempotencyKey)).size).toBe(1)
  expect(sessionsOf()).toHaveLength(1)
  expect(retried.sessionId).toBe(sessionsOf()[0].id)
  const after = await paymentsOf()
  expect(after).toHaveLength(1)
  expect(after[0]._id).toBe(before[0]._id)
  expect(after[0].checkoutSessionId).toBe(sessionsOf()[0].id)
})
