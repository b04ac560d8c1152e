// Staff alerts when the tenant configured neither staffEmail nor billingEmail: the dispute alert goes to
// the tenant's hosts (over real HTTP webhooks against the Stripe fake), never to another tenant's.
import { describe, expect, it } from 'vitest'
import {
  deliver,
  disputeCreated,
  eventFor,
  eventually,
  openInvoice,
  paymentOf,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('staff-alerts', { settings: { staffEmail: undefined } })

describe('dispute alert without a configured staff email', () => {
  it("emails the tenant's hosts once per dispute status", async () => {
    const { session, paymentId } = await openInvoice(scenario)
    scenario.fake.completeSession(session.id, 'paid')
    await deliver(
      scenario,
      eventFor(session.account, 'checkout.session.completed', scenario.fake.sessions.get(session.id)!)
    )
    await eventually(async () => (await paymentOf(scenario, paymentId))?.status === 'succeeded')
    const paymentIntent = scenario.fake.sessions.get(session.id)!.payment_intent
    const event = disputeCreated(session, 'dp_nostaff', paymentIntent)
    await Promise.all([deliver(scenario, event), deliver(scenario, event)])
    const host = scenario.harness.tenants.ava.hostEmail
    const alerts = await eventually(() => {
      const sent = scenario.harness.mailer.sent.filter((mail) => /disputed/.test(mail.subject))
      return sent.length > 0 && sent
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(alerts.map((mail) => mail.to)).toEqual([host])
    expect(
      scenario.harness.mailer.sent.filter((mail) => /disputed/.test(mail.subject)).map((mail) => mail.to)
    ).toEqual([host])
  })
})
