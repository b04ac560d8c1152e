// Checkout, invoices and refunds through the real HTTP API against the Stripe fake: crash-safe retries
// with the same idempotency key, gapless numbering under concurrency, tenant isolation, PDFs by link,
// dashboard refunds, and reconciliation of a missed webhook.
import { runAsSystem } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { reconcilePayments } from '../../jobs/reconcile-payments.ts'
import { openCheckoutAsSystem } from '../../plugin.ts'
import { inspectPdf } from '../support/pdf-inspect.ts'
import { parsePdf } from '../support/pdf-parse-independent.ts'
import {
  asHost,
  deliver,
  eventFor,
  eventually,
  openInvoice,
  paymentOf,
  useStripeScenario
} from '../support/stripe-scenario.ts'

let crashNext = false
const scenario = useStripeScenario('checkout', {
  faults: {
    afterProviderCall: () => {
      if (crashNext) {
        crashNext = false
        throw new Error('simulated crash after the provider call')
      }
    }
  }
})

const ava = () => asHost(scenario)

async function issue(amountMinor = 5_000, email = 'buyer@example.com') {
  const response = await scenario.harness.http.post(
    '/payments/invoices',
    {
      customer: { name: 'Buyer', email },
      lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: amountMinor }]
    },
    ava()
  )
  expect(response.status).toBe(201)
  return response.body
}

describe('checkout', () => {
  it('survives a crash between the Stripe call and the database write: one Stripe session, one payment', async () => {
    const invoice = await issue()
    const tenantId = scenario.harness.tenants.ava._id
    crashNext = true
    await expect(openCheckoutAsSystem(scenario.harness.runtime, tenantId, invoice._id)).rejects.toThrow(
      /simulated crash/
    )
    const retried = await openCheckoutAsSystem(scenario.harness.runtime, tenantId, invoice._id)
    const writes = scenario.fake
      .writesTo('/v1/checkout/sessions')
      .filter((request) => request.form.metadata?.invoiceId === invoice._id)
    expect(writes).toHaveLength(2)
    expect(new Set(writes.map((request) => request.idempotencyKey)).size).toBe(1)
    const sessions = [...scenario.fake.sessions.values()].filter(
      (session) => session.metadata.invoiceId === invoice._id
    )
    expect(sessions).toHaveLength(1)
    expect(retried.sessionId).toBe(sessions[0].id)
    const payments = await runAsSystem(
      'test',
      tenantId,
      async () =>
        await scenario.harness.runtime.models.payments.find({ invoiceId: invoice._id }).lean().exec()
    )
    expect(payments).toHaveLength(1)
    expect(payments[0].checkoutSessionId).toBe(sessions[0].id)
  })

  it('charges the connected account from the tenant record with the tenant fee, whatever the request says', async () => {
    const invoice = await issue(12_345)
    // An account named in the request is refused outright (closed body), before any provider call.
    const sessionsBefore = scenario.fake.writesTo('/v1/checkout/sessions').length
    const forged = await scenario.harness.http.post(
      '/payments/checkout',
      { invoiceId: invoice._id, stripeAccount: 'acct_attacker' },
      ava()
    )
    expect(forged.status).toBe(400)
    expect(forged.body.errors.map((error: { path: string }) => error.path)).toEqual(['stripeAccount'])
    expect(scenario.fake.writesTo('/v1/checkout/sessions')).toHaveLength(sessionsBefore)
    const response = await scenario.harness.http.post('/payments/checkout', { invoiceId: invoice._id }, ava())
    expect(response.status).toBe(201)
    const request = scenario.fake.writesTo('/v1/checkout/sessions').at(-1)!
    expect(request.stripeAccount).toBe(scenario.accounts.ava)
    expect(request.form.payment_intent_data.application_fee_amount).toBe('1234')
  })

  it("refuses another tenant paying this tenant's invoice, and a wrong pay token", async () => {
    const invoice = await issue()
    const crossTenant = await scenario.harness.http.post(
      '/payments/checkout',
      { invoiceId: invoice._id },
      { token: scenario.tokens.marco, tenant: scenario.harness.tenants.marco._id }
    )
    expect(crossTenant.status).toBe(404)
    const anonymous = await scenario.harness.http.post(
      '/payments/checkout',
      { invoiceId: invoice._id, token: 'not-the-token' },
      { tenant: scenario.harness.tenants.ava._id }
    )
    expect(anonymous.status).toBe(404)
    const invalid = await scenario.harness.http.post(
      '/payments/checkout',
      { invoiceId: 42 },
      { tenant: scenario.harness.tenants.ava._id }
    )
    expect(invalid.status).toBe(400)
    expect(invalid.body.errors[0].path).toBe('invoiceId')
  })
})

describe('invoices', () => {
  it('numbers concurrent invoices uniquely and consecutively', async () => {
    const before = (await scenario.harness.http.get('/payments/invoices?$limit=1', ava())).body
      .total as number
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) => issue(1_000 + index, `c${index}@example.com`))
    )
    const sequences = responses.map((invoice) => Number(invoice.number.split('-')[1])).sort((a, b) => a - b)
    expect(new Set(sequences).size).toBe(12)
    expect(sequences.at(-1)! - sequences[0]).toBe(11)
    expect(sequences[0]).toBe(before + 1)
    expect(responses.every((invoice) => invoice.number.startsWith('AVA-'))).toBe(true)
  })

  it('answers field-level errors for bad input and creates nothing', async () => {
    const before = (await scenario.harness.http.get('/payments/invoices?$limit=1', ava())).body.total
    const response = await scenario.harness.http.post(
      '/payments/invoices',
      {
        customer: { name: '', email: 'nope' },
        lineItems: [{ description: 'x', quantity: 0, unitAmountMinor: 1.5 }]
      },
      ava()
    )
    expect(response.status).toBe(400)
    expect(response.body.errors.map((error: any) => error.path).sort()).toEqual(
      ['customer.email', 'customer.name', 'lineItems.0.quantity', 'lineItems.0.unitAmountMinor'].sort()
    )
    expect((await scenario.harness.http.get('/payments/invoices?$limit=1', ava())).body.total).toBe(before)
  })

  it('serves the invoice PDF by its signed link, with number and amount, and nothing without the signature', async () => {
    const invoice = await issue(7_777)
    const pdf = await fetch(invoice.invoiceUrl)
    expect(pdf.status).toBe(200)
    expect(pdf.headers.get('content-type')).toBe('application/pdf')
    const bytes = Buffer.from(await pdf.arrayBuffer())
    const text = inspectPdf(bytes).text
    expect(text).toContain(`Invoice ${invoice.number}`)
    expect(text).toContain('$77.77')
    // The served file as pdf.js reads it.
    const parsed = await parsePdf(bytes)
    expect(parsed.text).toContain(`Invoice ${invoice.number}`)
    expect(parsed.text).toContain('$77.77')
    const unsigned = await fetch(invoice.invoiceUrl.replace(/sig=[^&]+/, 'sig=forged'))
    expect(unsigned.status).toBe(404)
    const list = await scenario.harness.http.get('/payments/invoices', ava())
    expect(JSON.stringify(list.body)).not.toContain('payToken')
  })

  it("keeps invoices of one tenant out of another tenant's list", async () => {
    await issue()
    const marco = await scenario.harness.http.get('/payments/invoices', {
      token: scenario.tokens.marco,
      tenant: scenario.harness.tenants.marco._id
    })
    expect(marco.status).toBe(200)
    expect(marco.body.total).toBe(0)
    const forged = await scenario.harness.http.get('/payments/invoices', {
      token: scenario.tokens.marco,
      tenant: scenario.harness.tenants.ava._id
    })
    expect(forged.status).toBe(403)
  })
})

describe('refunds and reconciliation', () => {
  it('refunds partially from the dashboard on the connected account, once per idempotency key', async () => {
    const { session, paymentId } = await openInvoice(scenario, 20_000)
    scenario.fake.completeSession(session.id, 'paid')
    const tenantId = scenario.harness.tenants.ava._id
    // No webhook was delivered: reconciliation finds the events at Stripe and repairs the payment.
    const report = await runAsSystem('test', tenantId, () => reconcilePayments(scenario.harness.runtime))
    expect(report.fetched).toBeGreaterThanOrEqual(2)
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded',
      15_000,
      'repaired by reconciliation'
    )
    const body = { paymentId, amountMinor: 5_000, idempotencyKey: 'refund-click-1' }
    const [first, second] = await Promise.all([
      scenario.harness.http.post('/payments/refunds', body, ava()),
      scenario.harness.http.post('/payments/refunds', body, ava())
    ])
    expect([first.status, second.status]).toEqual([201, 201])
    expect(first.body.refundId).toBe(second.body.refundId)
    const refundWrites = scenario.fake
      .writesTo('/v1/refunds')
      .filter((request) => request.form.payment_intent === session.payment_intent)
    expect(refundWrites.every((request) => request.stripeAccount === scenario.accounts.ava)).toBe(true)
    expect(
      new Set(
        [...scenario.fake.refunds.values()]
          .filter((refund) => refund.payment_intent === session.payment_intent)
          .map((refund) => refund.id)
      ).size
    ).toBe(1)
    // The local records follow Stripe's charge.refunded event (the single source of the cumulative amount).
    const charge = {
      id: 'ch_1',
      object: 'charge',
      payment_intent: session.payment_intent,
      amount: 20_000,
      amount_refunded: 5_000,
      metadata: {}
    }
    await deliver(scenario, eventFor(session.account, 'charge.refunded', charge))
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'partially_refunded',
      15_000,
      'refund recorded'
    )
    expect(await paymentOf(scenario, paymentId)).toMatchObject({ amountRefundedMinor: 5_000 })
    const tooMuch = await scenario.harness.http.post(
      '/payments/refunds',
      { paymentId, amountMinor: 50_000 },
      ava()
    )
    expect(tooMuch.status).toBe(400)
    expect(tooMuch.body.errors[0].path).toBe('amountMinor')
    const asRep = await scenario.harness.http.post('/payments/refunds', body, {
      token: scenario.tokens.marco,
      tenant: tenantId
    })
    expect(asRep.status).toBe(403)
  })
})
