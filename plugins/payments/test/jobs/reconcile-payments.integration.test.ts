// Reconciliation's last resort: a checkout paid at Stripe whose events are nowhere (no webhook arrived and
// the account's event list does not have them) is repaired from the session itself, once.
import { runAsSystem } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { reconcilePayments } from '../../jobs/reconcile-payments.ts'
import {
  invoiceOf,
  openInvoice,
  outboxCount,
  paymentOf,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('reconcile')

/** Reconciliation as its job runs it, at `now` (pending checkouts count as stale after a minute). */
const reconcileAt = (now: number) =>
  runAsSystem('test', scenario.harness.tenants.ava._id, () =>
    reconcilePayments(scenario.harness.runtime, now)
  )

describe('reconciliation of pending checkouts', () => {
  it('fulfils a payment whose session is paid at the provider although no event is known, once', async () => {
    const { session, paymentId, invoice } = await openInvoice(scenario, 12_500)
    const emitted = scenario.fake.completeSession(session.id, 'paid')
    // Neither delivered nor listed: the repair can only come from asking for the session.
    for (const event of emitted) scenario.fake.events.splice(scenario.fake.events.indexOf(event), 1)
    expect(scenario.fake.events.filter((event) => event.data.object.id === session.id)).toEqual([])

    // Within a minute of its last change a pending checkout is left alone (the customer may be paying).
    expect(await reconcileAt(Date.now())).toMatchObject({ fetched: 0, repairedSessions: 0 })
    expect((await paymentOf(scenario, paymentId))?.status).toBe('pending')

    const later = Date.now() + 61_000
    expect(await reconcileAt(later)).toEqual({ replayed: 0, fetched: 0, routed: 0, repairedSessions: 1 })
    expect(await paymentOf(scenario, paymentId)).toMatchObject({
      status: 'succeeded',
      amountMinor: 12_500,
      paymentIntentId: scenario.fake.intentOf(session.id)
    })
    expect(await invoiceOf(scenario, invoice._id)).toMatchObject({ status: 'paid', paymentId })
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)

    // The next pass finds nothing pending: no second effect.
    expect((await reconcileAt(later + 1_000)).repairedSessions).toBe(0)
    expect(await outboxCount(scenario, 'payment.succeeded', { 'payload.paymentId': paymentId })).toBe(1)
  })

  it('leaves a session that is still unpaid at the provider pending', async () => {
    const { session, paymentId } = await openInvoice(scenario, 7_000)
    const emitted = scenario.fake.completeSession(session.id, 'unpaid')
    for (const event of emitted) scenario.fake.events.splice(scenario.fake.events.indexOf(event), 1)
    expect((await reconcileAt(Date.now() + 61_000)).repairedSessions).toBe(0)
    expect((await paymentOf(scenario, paymentId))?.status).toBe('pending')
  })
})
