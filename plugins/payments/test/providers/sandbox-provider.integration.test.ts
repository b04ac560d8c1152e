// Runs the provider contract against the sandbox (objects in the test database) and checks that its
// hosted page delivers correctly signed events to the webhook URL, verifiable by the provider itself.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import mongoose, { type Connection } from 'mongoose'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUri } from '../../../../core/test/support/database.ts'
import { SANDBOX_MODEL, sandboxObjectSchema } from '../../providers/sandbox/sandbox-model.ts'
import { createSandboxProvider, type SandboxProvider } from '../../providers/sandbox/sandbox-provider.ts'
import { masterclassCheckout } from '../support/checkout-input.ts'
import { paymentProviderContract } from './payment-provider-contract.ts'

const WEBHOOK_SECRET = 'whsec_sandbox_contract'
const signer = new Stripe('sk_test_signer')
const delivered: { body: string; signature: string }[] = []
let connection: Connection
let receiver: Server
let provider: SandboxProvider

beforeAll(async () => {
  connection = await mongoose.createConnection(testDatabaseUri('payments_sandbox')).asPromise()
  const model = connection.model(SANDBOX_MODEL, sandboxObjectSchema)
  await model.init()
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      delivered.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(request.headers['stripe-signature'])
      })
      response.writeHead(200).end('{}')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  provider = createSandboxProvider({
    model,
    webhookSecret: WEBHOOK_SECRET,
    checkoutPageUrl: 'http://127.0.0.1:1/payments-sandbox/checkout',
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/payments/stripe`
  })
})
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  await connection.dropDatabase()
  await connection.close()
})

paymentProviderContract('sandbox', {
  provider: () => provider,
  sign: (payload, timestamp) =>
    signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp }),
  pay: async (_account, sessionId, outcome) => {
    await provider.completeCheckout(sessionId, outcome === 'paid' ? 'pay' : 'pay-delayed')
  }
})

describe('sandbox hosted page', () => {
  it('delivers signed Stripe-format events that the same verification accepts', async () => {
    const { accountId } = await provider.createConnectedAccount({ tenantId: 't' }, 'acct-page')
    const session = await provider.createCheckoutSession(
      masterclassCheckout(accountId, {
        currency: 'usd',
        unitAmountMinor: 9_900,
        applicationFeeMinor: 500,
        metadata: { tenantId: 't', invoiceId: 'i', paymentId: 'p', invoiceNumber: 'T-1' }
      }),
      'cs-page'
    )
    delivered.length = 0
    await provider.completeCheckout(session.id, 'pay-delayed')
    await provider.settleDelayed(session.id, true)
    const types = delivered.map(
      ({ body, signature }) => provider.verifyWebhook(Buffer.from(body), signature).type
    )
    expect(types).toEqual(['checkout.session.completed', 'checkout.session.async_payment_succeeded'])
    const completed = JSON.parse(delivered[0].body)
    expect(completed).toMatchObject({
      account: accountId,
      livemode: false,
      data: { object: { payment_status: 'unpaid' } }
    })
    // A second click on the page does nothing: the session is no longer open.
    expect(await provider.completeCheckout(session.id, 'pay')).toEqual([])
  })
})
