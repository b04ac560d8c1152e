// The staff lists (`invoices` and `payments` find) share one query check (services/service-params.ts
// listQuery): closed filter keys, paging bounds (both lists page with the total), and a status that must be
// one of the list's own, including the unapplied payment states the dashboard filters on.
import { describe, expect, it } from 'vitest'
import {
  asHost,
  deliver,
  eventFor,
  eventually,
  openInvoice,
  paymentOf,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('staff-lists')

const get = (path: string) => scenario.harness.http.get(path, asHost(scenario))

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

  it('pages the invoices: every invoice once over the pages, newest first, with the total and totals of the filter', async () => {
    const email = `pages-${Date.now()}@example.com`
    for (let index = 0; index < 5; index += 1) {
      const created = await scenario.harness.http.post(
        '/payments/invoices',
        {
          customer: { name: 'Page Test', email },
          lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: 1_000 + index }]
        },
        { token: scenario.tokens.ava, tenant: scenario.harness.tenants.ava._id }
      )
      expect(created.status).toBe(201)
    }
    const pages = []
    for (const skip of [0, 2, 4, 6]) {
      const page = await get(`/payments/invoices?email=${encodeURIComponent(email)}&$limit=2&$skip=${skip}`)
      expect(page.status).toBe(200)
      expect({ total: page.body.total, limit: page.body.limit, skip: page.body.skip }).toEqual({
        total: 5,
        limit: 2,
        skip
      })
      // Totals are over the whole filter, not the page.
      expect(page.body.totals.usd.totalMinor).toBe(5 * 1_000 + 0 + 1 + 2 + 3 + 4)
      pages.push(page.body.data as { _id: string; totalMinor: number }[])
    }
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1, 0])
    const amounts = pages.flat().map((invoice) => invoice.totalMinor)
    expect(amounts).toEqual([1_004, 1_003, 1_002, 1_001, 1_000])
    expect(new Set(pages.flat().map((invoice) => invoice._id)).size).toBe(5)
  })

  it('pages the payments: every payment once over the pages, newest first, with the total of the filter', async () => {
    const opened = []
    for (let index = 0; index < 3; index += 1)
      opened.push((await openInvoice(scenario, 2_000 + index)).paymentId)
    const first = await get('/payments/payments?$limit=2')
    expect(first.status).toBe(200)
    const total = first.body.total as number
    expect(total).toBeGreaterThanOrEqual(3)
    const pages = []
    for (let skip = 0; skip < total + 2; skip += 2) {
      const page = await get(`/payments/payments?$limit=2&$skip=${skip}`)
      expect(page.status).toBe(200)
      expect({ total: page.body.total, limit: page.body.limit, skip: page.body.skip }).toEqual({
        total,
        limit: 2,
        skip
      })
      pages.push((page.body.data as { _id: string }[]).map((payment) => payment._id))
    }
    expect(pages.map((page) => page.length)).toEqual(
      pages.map((_, index) => Math.max(0, Math.min(2, total - index * 2)))
    )
    const ids = pages.flat()
    expect(new Set(ids).size).toBe(total)
    // The newest first: the last opened leads the first page.
    expect(ids.slice(0, 3)).toEqual([...opened].reverse())
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
