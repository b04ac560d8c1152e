// charge.refund.updated carries a Refund: applyRefundUpdate re-reads the charge on the tenant's connected
// account (Stripe SDK → local fake) and follows its refunded amount: a missed refund is recorded, a
// failed or canceled one is reversed on the payment and the invoice, and repeats change nothing.
import { randomUUID } from 'node:crypto'
import { runAsSystem } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { applyRefundUpdate } from '../../domain/refund-updates.ts'
import {
  asHost,
  deliver,
  eventFor,
  eventually,
  invoiceOf,
  openInvoice,
  outboxCount,
  paymentOf,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('refund-updates')

const ava = () => asHost(scenario)
const update = (refund: Record<string, any>) =>
  runAsSystem('test', scenario.harness.tenants.ava._id, () =>
    applyRefundUpdate(scenario.harness.runtime, refund, scenario.harness.tenants.ava._id)
  )

async function refund(paymentId: string, amountMinor: number): Promise<Record<string, any>> {
  const response = await scenario.harness.http.post(
    '/payments/refunds',
    { paymentId, amountMinor, idempotencyKey: `refund-${randomUUID()}` },
    ava()
  )
  expect(response.status).toBe(201)
  return scenario.fake.refunds.get(response.body.refundId)!
}

describe('charge.refund.updated (a Refund object)', () => {
  it('records a missed refund, reverses failed ones on payment and invoice, and repeats change nothing', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario, 20_000)
    scenario.fake.completeSession(session.id, 'paid')
    await deliver(
      scenario,
      eventFor(session.account, 'checkout.session.completed', scenario.fake.sessions.get(session.id)!)
    )
    await eventually(async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded')

    const first = await refund(paymentId, 5_000)
    await deliver(
      scenario,
      eventFor(
        session.account,
        'charge.refunded',
        scenario.fake.chargeOf(scenario.fake.sessions.get(session.id)!)
      )
    )
    await eventually(async () => (await paymentOf(scenario, paymentId))?.amountRefundedMinor === 5_000)

    // The second refund's charge.refunded never arrives; its refund.updated does.
    const second = await refund(paymentId, 3_000)
    expect(await update(second)).toBe('refund: applied')
    expect(await paymentOf(scenario, paymentId)).toMatchObject({
      status: 'partially_refunded',
      amountRefundedMinor: 8_000
    })
    expect(await outboxCount(scenario, 'payment.refunded', { 'payload.paymentId': paymentId })).toBe(2)
    const read = scenario.fake.requests.filter((request) => request.path.startsWith('/v1/charges/'))
    expect(read.at(-1)).toMatchObject({ method: 'GET', stripeAccount: scenario.accounts.ava })

    const failedFirst = scenario.fake.failRefund(first.id)
    expect(failedFirst.type).toBe('charge.refund.updated')
    expect(await update(failedFirst.data.object)).toBe('refund reversed: applied')
    expect(await paymentOf(scenario, paymentId)).toMatchObject({
      status: 'partially_refunded',
      amountRefundedMinor: 3_000
    })
    expect(await invoiceOf(scenario, invoice._id)).toMatchObject({
      status: 'partially_refunded',
      amountRefundedMinor: 3_000
    })

    const failedSecond = scenario.fake.failRefund(second.id)
    expect(await update(failedSecond.data.object)).toBe('refund reversed: applied')
    expect(await paymentOf(scenario, paymentId)).toMatchObject({
      status: 'succeeded',
      amountRefundedMinor: 0
    })
    expect(await invoiceOf(scenario, invoice._id)).toMatchObject({
      status: 'paid',
      amountRefundedMinor: 0,
      paymentId
    })
    expect(await update(failedSecond.data.object)).toBe('unchanged')
    expect(await update(failedFirst.data.object)).toBe('unchanged')
    // Reversals send no refund email and emit no payment.refunded.
    expect(await outboxCount(scenario, 'payment.refunded', { 'payload.paymentId': paymentId })).toBe(2)
  })

  it("ignores a refund naming another tenant and reads charges only on the tenant's own account", async () => {
    const outcome = await update({
      id: 're_foreign',
      object: 'refund',
      charge: 'ch_foreign',
      status: 'failed',
      metadata: { tenantId: scenario.harness.tenants.marco._id, paymentId: 'x' }
    })
    expect(outcome).toBe('refund names another tenant: ignored')
  })
})
