// The staff lists (`invoices` and `payments` find) share one query check (services/service-params.ts
// listQuery): closed filter keys, paging bounds, and a status that must be one of the list's own, including
// the unapplied payment states the dashboard filters on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  deliver,
  eventFor,
  eventually,
  openInvoice,
  paymentOf,
  type StripeScenario,
  startStripeScenario
} from '../support/stripe-scenario.ts'

let scenario: StripeScenario

beforeAll(async () => {
  scenario = await startStripeScenario('staff-lists')
})
afterAll(() => scenario?.close())

const get = (path: string) =>
  scenario.harness.http.get(path, { token: scenario.tokens.ava, tenant: scenario.harness.tenants.ava._id })

describe('staff lists', () => {
  it('filters payments by every payment status, the unapplied ones included', async () => {
    const { session, paymentId } = await openInvoice(scenario, 10_000)
    // Paid less than the invoice asks: kept for review, the invoice stays open.
    const underpaid = eventFor(session.account, 'payment_intent.succeeded', {
      id: session.payment_intent,
      object: 'payment_intent',
      amount: 9_000,
      amount_received: 9_000,
      metadata: session.metadata
    })
    await deliver(scenario, underpaid)
    await eventually(
      async () => (await paymentOf(scenario, paymentId))?.status === 'needs_review',
      15_000,
      'needs review'
    )
    const review = await get('/payments/payments?status=needs_review')
    expect(review.status).toBe(200)
    expect(review.body.data.map((payment: { _id: string }) => payment._id)).toEqual([paymentId])
    for (const status of ['pending', 'processing', 'failed', 'expired', 'succeeded', 'duplicate'])
      expect((await get(`/payments/payments?status=${status}`)).status).toBe(200)
    const open = await get('/payments/invoices?status=open&$limit=100')
    expect(open.status).toBe(200)
    expect(open.body.data.every((invoice: { status: string }) => invoice.status === 'open')).toBe(true)
  })

  it('refuses an unknown status, an unknown filter and paging out of bounds, naming the field', async () => {
    for (const list of ['invoices', 'payments']) {
      const cases: [string, string][] = [
        ['status=bogus', 'status'],
        ['status=needs_review', 'status'],
        ['colour=red', 'colour'],
        ['$limit=0', '$limit'],
        ['$limit=101', '$limit'],
        ['$skip=-1', '$skip']
      ]
      for (const [query, path] of cases) {
        // needs_review is a payment status only.
        if (list === 'payments' && query === 'status=needs_review') continue
        const response = await get(`/payments/${list}?${query}`)
        expect({ list, query, status: response.status }).toEqual({ list, query, status: 400 })
        expect(response.body.errors.map((error: { path: string }) => error.path)).toEqual([path])
      }
    }
  })
})
