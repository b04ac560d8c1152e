// Every body the plugin's services accept has a closed schema (services/body-schemas.ts): a body that would
// otherwise succeed, plus one unknown field (top level or nested), answers 400 naming that field, and nothing
// happens (no invoice, payment, provider call, refund or email). A field of the wrong type is a field error too.
import { randomUUID } from 'node:crypto'
import type { HttpOptions } from '@masterstage/core/testing'
import { describe, expect, it } from 'vitest'
import {
  asHost,
  deliver,
  eventually,
  openInvoice,
  paymentOf,
  runWithTenant,
  sessionCompleted,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('closed-bodies')

const ava = (extra: HttpOptions = {}) => asHost(scenario, 'ava', extra)

const invoiceCount = () =>
  runWithTenant(scenario, () => scenario.harness.runtime.models.invoices.countDocuments())
const paymentCount = () =>
  runWithTenant(scenario, () => scenario.harness.runtime.models.payments.countDocuments())

function expectRefused(response: { status: number; body: any }, path: string) {
  expect({ status: response.status, code: response.body?.data?.code }).toEqual({
    status: 400,
    code: 'VALIDATION_FAILED'
  })
  expect(response.body.errors).toEqual([{ path, message: 'is not an allowed field' }])
  // core's validateBody: the message names the field too, as every other service's 400 does.
  expect(response.body.message).toBe(`Invalid data: ${path} is not an allowed field`)
}

describe('closed request bodies', () => {
  it('invoices create: an unknown field, top level or nested, issues nothing', async () => {
    const valid = {
      customer: { name: 'Jamie Doe', email: 'jamie@example.com' },
      lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: 5_000 }]
    }
    const before = await invoiceCount()
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, status: 'paid' }, 'status'],
      [{ ...valid, customer: { ...valid.customer, phone: '555' } }, 'customer.phone'],
      [{ ...valid, lineItems: [{ ...valid.lineItems[0], taxRate: 20 }] }, 'lineItems.0.taxRate']
    ]
    for (const [body, path] of cases) {
      expectRefused(await scenario.harness.http.post('/payments/invoices', body, ava()), path)
    }
    expect(await invoiceCount()).toBe(before)
    // The invoice email goes out after the answer: give an (unexpected) one the time it takes.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const sent = scenario.harness.mailer.sent.filter((mail) => mail.to === 'jamie@example.com')
    expect(sent).toEqual([])
  })

  it('checkout create: opens no payment and calls no provider', async () => {
    const { invoice } = await openInvoice(scenario, 4_000)
    const payments = await paymentCount()
    const writes = scenario.fake.requests.length
    const response = await scenario.harness.http.post(
      '/payments/checkout',
      { invoiceId: invoice._id, amountMinor: 1 },
      ava()
    )
    expectRefused(response, 'amountMinor')
    expect(await paymentCount()).toBe(payments)
    expect(scenario.fake.requests.length).toBe(writes)
  })

  it('connect create: no onboarding link is made', async () => {
    const before = scenario.fake.requests.length
    expectRefused(
      await scenario.harness.http.post('/payments/connect', { accountId: 'acct_evil' }, ava()),
      'accountId'
    )
    // A list is not a body these services take (connect read one as an empty body).
    const listed = await scenario.harness.http.post('/payments/connect', [{}, {}], ava())
    expect({ status: listed.status, errors: listed.body?.errors }).toEqual({
      status: 400,
      errors: [{ path: '', message: 'must be one object, not a list' }]
    })
    expect(scenario.fake.requests.length).toBe(before)
  })

  it('refunds create: no refund at the provider', async () => {
    const { paymentId, session } = await openInvoice(scenario, 6_000)
    await deliver(scenario, sessionCompleted(session, 'paid'))
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'paid'
    )
    const response = await scenario.harness.http.post(
      '/payments/refunds',
      { paymentId, amountMinor: 1_000, idempotencyKey: `refund-${randomUUID()}`, reverseTransfer: true },
      ava()
    )
    expectRefused(response, 'reverseTransfer')
    const wrongType = await scenario.harness.http.post(
      '/payments/refunds',
      { paymentId, amountMinor: 'all', idempotencyKey: `refund-${randomUUID()}` },
      ava()
    )
    expect({ status: wrongType.status, code: wrongType.body?.data?.code }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED'
    })
    expect(wrongType.body.errors).toEqual([{ path: 'amountMinor', message: 'must be number' }])
    expect(scenario.fake.writesTo('/v1/refunds')).toEqual([])
  })

  it('invoices resend and invoice-reminders create: no email', async () => {
    const { invoice } = await openInvoice(scenario, 3_000)
    // Resends only: the issuing email follows the invoice asynchronously.
    const mails = () =>
      scenario.harness.mailer.sent.filter(
        (mail) => mail.to === invoice.customer.email && /\((reminder|copy)\)$/.test(mail.subject)
      ).length
    const body = { invoiceId: invoice._id, idempotencyKey: `remind-${randomUUID()}`, to: 'someone@else.test' }
    expectRefused(
      await scenario.harness.http.post('/payments/invoices', body, ava({ serviceMethod: 'resend' })),
      'to'
    )
    expectRefused(await scenario.harness.http.post('/payments/invoice-reminders', body, ava()), 'to')
    // Give an (unexpected) send the time the outbox takes, then check none happened.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(mails()).toBe(0)
  })
})
