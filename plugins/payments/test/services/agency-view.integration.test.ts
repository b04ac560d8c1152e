// `X-Tenant-Scope: agency` on the payments services over real HTTP: the invoice list works across the
// agency's tenants; calls that act for one tenant answer 400 with a code (they answered 500 before).
import { seedStaff } from '@masterstage/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openInvoice, type StripeScenario, startStripeScenario } from '../support/stripe-scenario.ts'

let scenario: StripeScenario
let adminToken: string
const agencyView = { 'x-tenant-scope': 'agency' }

beforeAll(async () => {
  scenario = await startStripeScenario('agency-view')
  const { app, tenants } = scenario.harness
  const tenant = await (app as any).service('tenants').get(tenants.ava._id)
  const email = 'admin@north-agency-view.test'
  await seedStaff(app, { email, role: 'agency_admin', agencyId: String(tenant.agencyId) })
  adminToken = await scenario.harness.login(email, tenants.ava._id)
})
afterAll(() => scenario?.close())

describe('agency-wide view of payments', () => {
  it("lists every tenant's invoices of the agency, each with its own tenant's document links", async () => {
    const { harness, tokens } = scenario
    const { invoice } = await openInvoice(scenario, 4_200)
    const marcoInvoice = await harness.http.post(
      '/payments/invoices',
      {
        customer: { name: 'Alex', email: 'alex-agency@example.com' },
        lineItems: [{ description: 'Money class', quantity: 1, unitAmountMinor: 9_900 }]
      },
      { token: tokens.marco, tenant: harness.tenants.marco._id }
    )
    expect(marcoInvoice.status).toBe(201)
    const response = await harness.http.get('/payments/invoices?$limit=100', {
      token: adminToken,
      tenant: harness.tenants.ava._id,
      headers: agencyView
    })
    expect(response.status).toBe(200)
    const byId = new Map(response.body.data.map((row: any) => [row._id, row]))
    const ava = byId.get(invoice._id) as any
    const marco = byId.get(marcoInvoice.body._id) as any
    expect(ava.invoiceUrl).toContain(`/payments-files/${harness.tenants.ava._id}/${invoice._id}/`)
    expect(marco.invoiceUrl).toContain(`/payments-files/${harness.tenants.marco._id}/${marco._id}/`)
    expect(ava.payToken).toBeUndefined()
    const one = await harness.http.get(`/payments/invoices/${marcoInvoice.body._id}`, {
      token: adminToken,
      tenant: harness.tenants.ava._id,
      headers: agencyView
    })
    expect(one.status).toBe(200)
    expect(one.body.invoiceUrl).toContain(`/payments-files/${harness.tenants.marco._id}/`)
  })

  it('answers 400 with a code where the call needs one tenant (the connected account)', async () => {
    const response = await scenario.harness.http.get('/payments/connect', {
      token: adminToken,
      tenant: scenario.harness.tenants.ava._id,
      headers: agencyView
    })
    expect(response.status).toBe(400)
    expect(response.body.data).toMatchObject({
      code: 'TENANT_REQUIRED',
      reason: 'AGENCY_VIEW_NOT_SUPPORTED'
    })
    // Without the header the same admin sees the tenant's account.
    const single = await scenario.harness.http.get('/payments/connect', {
      token: adminToken,
      tenant: scenario.harness.tenants.ava._id
    })
    expect(single.status).toBe(200)
    expect(single.body.connected).toBe(true)
  })
})
