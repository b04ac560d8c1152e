// Browser test of the dashboard's payments page (built dashboard, real API on the harness database and Redis,
// Debian Chromium): the invoice list pages through `?page=` links (51 invoices: a full page of 50, then one),
// the payments (51) and the failed provider events (21, 20 a page) through links of their own with the same
// pager, each list's page kept while another is paged; and a provider event left failed after its retries is
// listed without its payload and replayed by its button, after which the event is processed.
import { randomBytes } from 'node:crypto'
import { runAsSystem } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { signInToDashboard } from '../../../../core/test/client/support/dashboard-session.ts'
import { issueInvoice } from '../../domain/issue-invoice.ts'
import { usePaymentsWebStack } from '../support/payments-web-stack.ts'

const HOST = { email: 'host@page-test.test', password: 'host-password-1' }
const EVENT_ID = `evt_page_${randomBytes(6).toString('hex')}`
const SECRET_IN_PAYLOAD = 'acct_hash_never_shown'

const web = usePaymentsWebStack('payments-page-e2e', {
  seed: async ({ app, runtime }) => {
    const service = (path: string) => (app as any).service(path)
    const agency = await service('agencies').create({ slug: 'pager', name: 'Pager Talent' })
    const tenant = await service('tenants').create({
      slug: 'page-test',
      name: 'Page Test',
      agencyId: agency._id
    })
    const tenantId = String(tenant._id)
    await service('tenants').enablePlugin({
      tenantId,
      plugin: 'payments',
      settings: { invoicePrefix: 'PG', legalName: 'Page Test LLC', legalAddress: '1 Main St' }
    })
    await service('users').createStaff({
      name: 'Host',
      ...HOST,
      role: 'host',
      agencyId: agency._id,
      tenantIds: [tenantId]
    })
    await runAsSystem('e2e-seed', tenantId, async () => {
      for (let index = 1; index <= 51; index += 1) {
        const { invoice } = await issueInvoice(runtime!, {
          dedupeKey: `page-${index}`,
          customer: { name: `Customer ${index}`, email: `customer-${index}@example.com` },
          lineItems: [{ description: 'Masterclass', quantity: 1, unitAmountMinor: 1_000 }]
        })
        await runtime!.models.payments.create({
          _id: `pay_page_${index}`,
          invoiceId: invoice._id,
          attempt: 1,
          idempotencyKey: `page-payment-${index}`,
          provider: runtime!.provider.name,
          status: 'succeeded',
          amountMinor: 1_000,
          applicationFeeMinor: 0,
          currency: invoice.currency
        })
      }
      // Older failures than the one replayed below, which stays on the first page of the failed events.
      for (let index = 1; index <= 20; index += 1)
        await runtime!.models.webhookEvents.create({
          _id: `${EVENT_ID}_older_${index}`,
          type: 'charge.refunded',
          provider: runtime!.provider.name,
          accountHash: 'hash',
          tenantId,
          livemode: false,
          created: Math.floor(Date.now() / 1000) - index * 60,
          payload: '{}',
          state: 'failed',
          reason: `older failure ${index}`,
          attempts: 8,
          receivedAt: new Date(Date.now() - index * 60_000),
          source: 'webhook'
        })
      // As the per-event job leaves an event after its last retry.
      const event = {
        id: EVENT_ID,
        object: 'event',
        type: 'account.updated',
        account: SECRET_IN_PAYLOAD,
        livemode: false,
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: SECRET_IN_PAYLOAD, charges_enabled: true } }
      }
      await runtime!.models.webhookEvents.create({
        _id: EVENT_ID,
        type: event.type,
        provider: runtime!.provider.name,
        accountHash: 'hash',
        tenantId,
        livemode: false,
        created: event.created,
        payload: JSON.stringify(event),
        state: 'failed',
        reason: 'connected account store unavailable',
        attempts: 8,
        receivedAt: new Date(),
        source: 'webhook'
      })
    })
  }
})

describe('payments page in the browser', () => {
  it('pages the invoices, payments and failed events, and replays a failed provider event from its row', {
    timeout: 120_000
  }, async () => {
    const context = await web.browser.newContext()
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    try {
      await signInToDashboard(page, web.dashboard.url, HOST)
      await page.goto(`${web.dashboard.url}/p/payments`, { waitUntil: 'networkidle' })
      await expect.poll(() => page.getByTestId('invoice-pager').textContent()).toContain('Showing 1–50 of 51')
      expect(await page.getByTestId('invoices').locator('tbody tr').count()).toBe(50)
      await page.getByTestId('invoice-pager').getByRole('link', { name: 'Older' }).click()
      await page.waitForURL(/\?page=2$/)
      await expect
        .poll(() => page.getByTestId('invoice-pager').textContent())
        .toContain('Showing 51–51 of 51')
      const rows = page.getByTestId('invoices').locator('tbody tr')
      expect(await rows.count()).toBe(1)
      // The oldest invoice is the last one: the first issued.
      expect(await rows.first().textContent()).toContain('PG-000001')

      // The payments page on their own links, the invoices staying on their page.
      const payments = page.getByTestId('payment-pager')
      await expect.poll(() => payments.textContent()).toContain('Showing 1–50 of 51')
      expect(await page.getByTestId('payments').locator('tbody tr').count()).toBe(50)
      await payments.getByRole('link', { name: 'Older' }).click()
      await page.waitForURL(/\?page=2&paymentsPage=2$/)
      await expect.poll(() => payments.textContent()).toContain('Showing 51–51 of 51')
      expect(await page.getByTestId('payments').locator('tbody tr').count()).toBe(1)
      expect(await page.getByTestId('invoice-pager').textContent()).toContain('Showing 51–51 of 51')

      // The failed events page the same way, 20 a page; the newest (replayed below) leads the first page.
      const events = page.getByTestId('failed-event-pager')
      await expect.poll(() => events.textContent()).toContain('Showing 1–20 of 21')
      await events.getByRole('link', { name: 'Older' }).click()
      await page.waitForURL(/\?page=2&paymentsPage=2&eventsPage=2$/)
      await expect.poll(() => events.textContent()).toContain('Showing 21–21 of 21')
      const oldest = page.getByTestId('failed-events').locator('tbody tr')
      expect(await oldest.count()).toBe(1)
      expect(await oldest.first().textContent()).toContain('older failure 20')
      await events.getByRole('link', { name: 'Newer' }).click()
      await page.waitForURL(/\?page=2&paymentsPage=2$/)
      await expect.poll(() => events.textContent()).toContain('Showing 1–20 of 21')

      const failed = page.getByTestId('failed-events').locator(`tr[data-event-id="${EVENT_ID}"]`)
      expect(await failed.textContent()).toContain('account.updated')
      expect(await failed.textContent()).toContain('connected account store unavailable')
      expect(await page.content()).not.toContain(SECRET_IN_PAYLOAD)
      await failed.getByRole('button', { name: 'Replay' }).click()
      await expect.poll(() => failed.getByRole('status').textContent()).toBe('queued')
      await expect
        .poll(async () => (await web.runtime.models.webhookEvents.findById(EVENT_ID).lean())?.state, {
          timeout: 15_000
        })
        .toBe('processed')
    } finally {
      await context.close()
    }
  })
})
