// Resending the invoice email (`invoices` resend and `invoice-reminders` create, the dashboard's button): the
// pay link only while the invoice is open (it works), and for a paid or refunded invoice where it stands
// instead (a pay link would answer 409 there).
import { describe, expect, it } from 'vitest'
import {
  asHost,
  deliver,
  eventFor,
  eventually,
  invoiceOf,
  openInvoice,
  sessionCompleted,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('invoice-resend')

const ava = () => asHost(scenario)

/** The resent emails to `email`, oldest first (the issuing email is not a resend). */
const resentTo = (email: string) =>
  scenario.harness.mailer.sent.filter(
    (mail) => mail.to === email && /\((reminder|copy)\)$/.test(mail.subject)
  )

async function resend(via: 'reminders' | 'resend', invoiceId: string, key: string) {
  const response =
    via === 'reminders'
      ? await scenario.harness.http.post(
          '/payments/invoice-reminders',
          { invoiceId, idempotencyKey: key },
          ava()
        )
      : await scenario.harness.http.post(
          '/payments/invoices',
          { invoiceId, idempotencyKey: key },
          { ...ava(), serviceMethod: 'resend' }
        )
  // A custom method answers 200, a create 201.
  expect(response.status).toBe(via === 'reminders' ? 201 : 200)
  expect(response.body).toEqual({ invoiceId, resent: true })
}

async function statusBecomes(invoiceId: string, status: string) {
  await eventually(async () => (await invoiceOf(scenario, invoiceId))?.status === status, 15_000, status)
}

describe('invoice resend', () => {
  it('sends the pay link for an open invoice only, and where the invoice stands once paid or refunded', async () => {
    const { invoice, session } = await openInvoice(scenario, 8_000)
    const email = invoice.customer.email
    const checkout = (token: string | null) =>
      scenario.harness.http.post(
        '/payments/checkout',
        { invoiceId: invoice._id, token },
        { tenant: scenario.harness.tenants.ava._id }
      )

    await resend('reminders', invoice._id, 'resend-open-1')
    const [reminder] = resentTo(email)
    expect(reminder.subject).toMatch(/invoice AVA-\S+ \(reminder\)$/)
    const payUrl = /Pay securely online: (\S+)/.exec(reminder.text)?.[1]
    expect(payUrl).toBeDefined()
    expect(reminder.attachments?.[0].contentType).toBe('application/pdf')
    // The link in the reminder opens the checkout for whoever holds it.
    const token = new URL(payUrl!).searchParams.get('token')
    expect((await checkout(token)).status).toBe(201)

    await deliver(scenario, sessionCompleted(session, 'paid'))
    await statusBecomes(invoice._id, 'paid')
    await resend('resend', invoice._id, 'resend-paid-1')
    const paid = resentTo(email)[1]
    expect(paid.subject).toMatch(/\(copy\)$/)
    expect(paid.text).not.toMatch(/Pay securely online|\/payments\/pay\//)
    expect(paid.text).toContain('This invoice is paid: nothing is due.')
    expect(paid.text).toMatch(/Receipt: \S+\/receipt\.pdf\?exp=\d+&sig=/)
    expect((await checkout(token)).status).toBe(409)

    const charge = {
      id: 'ch_resend',
      object: 'charge',
      payment_intent: session.payment_intent,
      amount: 8_000,
      amount_refunded: 8_000,
      metadata: session.metadata
    }
    await deliver(scenario, eventFor(session.account, 'charge.refunded', charge))
    await statusBecomes(invoice._id, 'refunded')
    await resend('reminders', invoice._id, 'resend-refunded-1')
    const refunded = resentTo(email)[2]
    expect(refunded.text).not.toMatch(/Pay securely online|\/payments\/pay\//)
    expect(refunded.text).toContain('This invoice was refunded: nothing is due.')
    expect(resentTo(email)).toHaveLength(3)
  })

  it('sends one email per idempotency key, and answers 404 for an unknown invoice', async () => {
    const { invoice } = await openInvoice(scenario, 3_000)
    await Promise.all([
      resend('resend', invoice._id, 'resend-twice-1'),
      resend('reminders', invoice._id, 'resend-twice-1')
    ])
    expect(resentTo(invoice.customer.email)).toHaveLength(1)
    const unknown = await scenario.harness.http.post(
      '/payments/invoice-reminders',
      { invoiceId: 'inv_missing' },
      ava()
    )
    expect(unknown.status).toBe(404)
  })
})
