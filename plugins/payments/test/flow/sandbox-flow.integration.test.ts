// The demo's whole path over real HTTP with the sandbox provider and the real pipeline and
// masterclasses plugins: register → invoice email with pay link → pay on the sandbox page (signed
// events through the same webhook route) → receipt email → the lead is PAID on the board.
import { randomBytes } from 'node:crypto'
import { runAsSystem } from '@masterstage/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import masterclasses from '../../../masterclasses/plugin.ts'
import pipeline from '../../../pipeline/plugin.ts'
import {
  eventually,
  type PaymentsTestApp,
  sandboxPlatform,
  startPaymentsApp
} from '../support/payments-app.ts'

let harness: PaymentsTestApp
let masterclassId: string
let hostToken: string

beforeAll(async () => {
  harness = await startPaymentsApp('sandbox_flow', {
    plugins: [masterclasses, pipeline],
    platform: sandboxPlatform('whsec_flow_test')
  })
  const tenantId = harness.tenants.ava._id
  const created = await runAsSystem('test', tenantId, () =>
    (harness.app as any).service('masterclasses/masterclasses').create({
      title: 'Strong in 12 weeks',
      description: 'Live training',
      hostId: randomBytes(12).toString('hex'),
      startTime: new Date(Date.now() + 86_400_000).toISOString(),
      endTime: new Date(Date.now() + 90_000_000).toISOString(),
      price: { amount: 19_900, currency: 'USD' },
      maxAttendees: 100
    })
  )
  masterclassId = String(created._id)
  hostToken = await harness.login(harness.tenants.ava.hostEmail, tenantId)
  const connect = await harness.http.post('/payments/connect', {}, { token: hostToken, tenant: tenantId })
  expect(connect.status).toBe(201)
})
afterAll(() => harness?.close())

describe('registration to PAID with the sandbox', () => {
  it('emails the invoice, takes the sandbox payment, emails the receipt and moves the lead to PAID', {
    timeout: 90_000
  }, async () => {
    const tenantId = harness.tenants.ava._id
    const status = await eventually(
      async () => {
        const answer = await harness.http.get('/payments/connect', { token: hostToken, tenant: tenantId })
        return answer.body.chargesEnabled && answer.body
      },
      15_000,
      'onboarding complete'
    )
    expect(status).toMatchObject({ connected: true, provider: 'sandbox', requirementsDue: [] })

    const email = `lead-${randomBytes(3).toString('hex')}@example.com`
    const registered = await harness.http.post(
      '/pipeline/registrations',
      { name: 'Jamie Lead', email, masterclassId, consent: true },
      { tenant: tenantId }
    )
    expect(registered.status).toBe(201)

    const invoiceMail = await eventually(
      () => harness.mailer.sent.find((mail) => mail.to === email && /invoice/.test(mail.subject)),
      30_000,
      'invoice email'
    )
    expect(invoiceMail.subject).toContain('$199.00')
    const payUrl = /Pay securely online: (\S+)/.exec(invoiceMail.text)![1]
    const [, invoiceId, token] = /\/payments\/pay\/([\w-]+)\?token=([\w-]+)/.exec(payUrl)!
    expect(payUrl.startsWith('http://ava-fit.storefront.test/')).toBe(true)

    const checkout = await harness.http.post('/payments/checkout', { invoiceId, token }, { tenant: tenantId })
    expect(checkout.status).toBe(201)
    const page = await fetch(checkout.body.checkoutUrl)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('$199.00')
    const paid = await fetch(checkout.body.checkoutUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=pay',
      redirect: 'manual'
    })
    expect(paid.status).toBe(303)
    expect(paid.headers.get('location')).toBe(
      `http://ava-fit.storefront.test/payments/pay/${invoiceId}/success`
    )

    const receipt = await eventually(
      () => harness.mailer.sent.find((mail) => mail.to === email && /payment received/.test(mail.subject)),
      30_000,
      'receipt email'
    )
    expect(receipt.attachments?.[0].content.toString('latin1')).toContain('Paid - thank you')
    let lastStatus = 'none'
    const lead = await eventually(
      async () => {
        const leads = await harness.http.get('/pipeline/leads?$limit=50', {
          token: hostToken,
          tenant: tenantId
        })
        if (leads.status !== 200) throw new Error(`leads: ${leads.status} ${JSON.stringify(leads.body)}`)
        const found = (leads.body.data ?? leads.body).find((candidate: any) => candidate.email === email)
        if (found) lastStatus = found.status
        return found?.status === 'PAID' && found
      },
      30_000,
      'lead PAID'
    ).catch((error) => {
      throw new Error(`${error.message} (last status ${lastStatus})`)
    })
    expect(lead.paidMinor).toBe(19_900)
    // Paying again is refused: the invoice is no longer payable.
    const again = await harness.http.post('/payments/checkout', { invoiceId, token }, { tenant: tenantId })
    expect(again.status).toBe(409)
  })
})

describe('a declined card, then the pay link again (sandbox)', () => {
  it('expires the declined session before the new one, so only one can be paid', {
    timeout: 60_000
  }, async () => {
    const tenantId = harness.tenants.ava._id
    const issued = await harness.http.post(
      '/payments/invoices',
      {
        customer: { name: 'Dee Cline', email: `decline-${randomBytes(3).toString('hex')}@example.com` },
        lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: 7_500 }]
      },
      { token: hostToken, tenant: tenantId }
    )
    expect(issued.status).toBe(201)
    const invoiceId = issued.body._id
    const open = () =>
      harness.http.post('/payments/checkout', { invoiceId }, { token: hostToken, tenant: tenantId })
    const pay = (url: string, outcome: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `outcome=${outcome}`,
        redirect: 'manual'
      })
    const paymentStatus = (paymentId: string) =>
      runAsSystem(
        'test',
        tenantId,
        async () => (await harness.runtime.models.payments.findById(paymentId).lean())?.status
      )

    const first = await open()
    expect(first.status).toBe(201)
    await pay(first.body.checkoutUrl, 'fail')
    await eventually(async () => (await paymentStatus(first.body.paymentId)) === 'failed', 15_000, 'declined')
    const firstSession = String(first.body.checkoutUrl).split('/').at(-1)!
    expect((await harness.runtime.sandbox!.session(firstSession))?.status).toBe('open')

    const second = await open()
    expect(second.status).toBe(201)
    expect(second.body.paymentId).not.toBe(first.body.paymentId)
    expect((await harness.runtime.sandbox!.session(firstSession))?.status).toBe('expired')
    const oldPage = await fetch(first.body.checkoutUrl)
    expect(await oldPage.text()).toContain('This checkout is expired')
    await pay(first.body.checkoutUrl, 'pay')
    await pay(second.body.checkoutUrl, 'pay')
    await eventually(async () => (await paymentStatus(second.body.paymentId)) === 'succeeded', 15_000, 'paid')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await paymentStatus(first.body.paymentId)).toBe('failed')
    const invoice = await harness.http.get(`/payments/invoices/${invoiceId}`, {
      token: hostToken,
      tenant: tenantId
    })
    expect(invoice.body).toMatchObject({ status: 'paid', paymentId: second.body.paymentId })
  })
})
