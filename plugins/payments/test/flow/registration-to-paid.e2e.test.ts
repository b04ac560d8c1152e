// Browser test of the demo's whole money path (built storefront and dashboard, real API on the harness
// database and Redis, the sandbox provider chosen by the platform config, the outbox email provider,
// Debian Chromium): the host connects the payment account, an attendee registers on the tenant's
// storefront, the invoice email lands in the outbox, its pay link is paid on the sandbox hosted page, the
// branded success page shows, the receipt email lands, and the lead moves to PAID live on the board;
// then the payments pages show the paid invoice, its receipt and the revenue, and a partial refund made
// on the invoice page comes back through the provider's event.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type OutboxRecord, runAsSystem } from '@masterstage/core'
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { signInToDashboard as signInAs } from '../../../../core/test/client/support/dashboard-session.ts'
import { REPO_ROOT } from '../../../../core/test/client/support/web-apps.ts'
import { usePaymentsWebStack } from '../support/payments-web-stack.ts'

const HOST = { email: 'ava@ava-fit.test', password: 'host-password-1' }
const BRAND = { slug: 'ava-fit', name: 'Ava Fit Academy', primary: '#b0124a' }

const web = usePaymentsWebStack('payments-e2e', {
  storefront: true,
  seed: async ({ app }) => {
    const service = (path: string) => (app as any).service(path)
    const agency = await service('agencies').create({ slug: 'northstar', name: 'Northstar Talent' })
    const tenant = await service('tenants').create({
      slug: BRAND.slug,
      name: BRAND.name,
      agencyId: agency._id,
      theme: {
        colors: { primary: BRAND.primary, background: '#ffffff', text: '#111111' },
        fonts: { heading: 'Georgia, serif', body: 'system-ui, sans-serif' },
        copy: {
          headline: 'Get strong',
          subheadline: 'Live classes',
          callToAction: 'Join',
          footer: BRAND.name
        }
      }
    })
    for (const plugin of ['masterclasses', 'pipeline']) {
      await service('tenants').enablePlugin({ tenantId: tenant._id, plugin })
    }
    await service('tenants').enablePlugin({
      tenantId: tenant._id,
      plugin: 'payments',
      settings: { invoicePrefix: 'AVA', legalName: 'Ava Fit LLC', legalAddress: '1 Main St\nLos Angeles, CA' }
    })
    const host = await service('users').createStaff({
      name: 'Ava',
      ...HOST,
      role: 'host',
      agencyId: agency._id,
      tenantIds: [String(tenant._id)]
    })
    await runAsSystem('e2e-seed', String(tenant._id), () =>
      service('masterclasses/masterclasses').create({
        title: 'Strong in 12 weeks',
        description: 'Live training',
        hostId: String(host._id),
        startTime: new Date(Date.now() + 86_400_000).toISOString(),
        endTime: new Date(Date.now() + 90_000_000).toISOString(),
        price: { amount: 19_900, currency: 'USD' },
        maxAttendees: 100
      })
    )
  }
})

const tenantSite = (path = '/') => `http://${BRAND.slug}.localhost:${web.storefront.port}${path}`

/** A record still being written reads as nothing (the next poll sees it whole). */
function readRecord(path: string): OutboxRecord | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as OutboxRecord
  } catch {
    return null
  }
}

/** Waits for the outbox record (the JSON beside each .eml) to `to` whose subject matches. */
async function mailTo(to: string, subject: RegExp, timeoutMs = 30_000): Promise<OutboxRecord> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = readdirSync(web.outboxDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => readRecord(join(web.outboxDir, file)))
      .find((record) => record?.to === to && subject.test(record.subject))
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no email to ${to} matching ${subject} in the outbox`)
    await sleep(200)
  }
}

const signInToDashboard = (page: Page) => signInAs(page, web.dashboard.url, HOST)

describe('registration to PAID in the browser (sandbox)', () => {
  it('emails the invoice, takes the payment on the hosted page, emails the receipt and moves the lead to PAID live', {
    timeout: 180_000
  }, async () => {
    expect(web.runtime?.provider.name).toBe('sandbox')
    const contexts: BrowserContext[] = [await web.browser.newContext(), await web.browser.newContext()]
    for (const context of contexts) context.setDefaultTimeout(15_000)
    const [staff, attendee] = await Promise.all(contexts.map((context) => context.newPage()))
    try {
      // The host connects the tenant's payment account from the dashboard (the sandbox onboards at once).
      await signInToDashboard(staff)
      await staff.goto(`${web.dashboard.url}/p/payments/connect`, { waitUntil: 'networkidle' })
      await staff.getByTestId('connect').click()
      await staff.waitForURL(/\/p\/payments\/connect\?onboarding=done/)
      await expect.poll(() => staff.getByTestId('charges-enabled').textContent()).toBe('enabled')
      expect(await staff.getByTestId('requirements-due').textContent()).toBe('none')

      // The host watches the board while the attendee registers on the tenant's storefront.
      await staff.goto(`${web.dashboard.url}/p/pipeline`)
      await staff.getByTestId('pipeline-board').waitFor()
      await staff.waitForLoadState('networkidle')

      const email = `jamie-${randomBytes(3).toString('hex')}@example.com`
      await attendee.goto(tenantSite('/'), { waitUntil: 'networkidle' })
      const form = attendee.getByTestId('registration-form')
      await form.getByLabel('Name').fill('Jamie Lead')
      await form.getByLabel('Email').fill(email)
      await form.getByRole('checkbox').check()
      await form.getByRole('button', { name: 'Register' }).click()
      await attendee.getByTestId('registration-confirmation').waitFor()

      const invoiceMail = await mailTo(email, /invoice/i)
      expect(invoiceMail.subject).toContain('$199.00')
      expect(invoiceMail.attachments[0]).toMatchObject({ contentType: 'application/pdf' })
      const payUrl = /Pay securely online: (\S+)/.exec(invoiceMail.text)![1]
      expect(payUrl.startsWith(tenantSite('/payments/pay/'))).toBe(true)
      const invoiceId = new URL(payUrl).pathname.split('/')[3]

      // The pay link opens the tenant's pay page, which hands over to the sandbox's hosted checkout.
      await attendee.goto(payUrl)
      await attendee.getByTestId('pay-now').click()
      await attendee.waitForURL(/\/payments-sandbox\/checkout\//)
      expect(await attendee.textContent('body')).toContain('$199.00')
      await attendee.getByTestId('pay').click()
      await attendee.waitForURL(tenantSite(`/payments/pay/${invoiceId}/success`))
      await attendee.getByTestId('pay-success').waitFor()
      expect(await attendee.textContent('main')).toContain(BRAND.name)
      expect(await attendee.title()).toContain(BRAND.name)

      const receipt = await mailTo(email, /payment received/i)
      expect(receipt.attachments.map((attachment) => attachment.contentType)).toContain('application/pdf')

      // Live: the card moves on the board the host already had open, without a reload.
      await expect
        .poll(() => staff.locator('[data-status="PAID"] [data-testid="lead-card"]').allTextContents(), {
          timeout: 30_000
        })
        .toEqual([expect.stringContaining(email)])

      // The payments pages: the paid invoice in the list, its detail with both PDFs, the revenue widget.
      await staff.goto(`${web.dashboard.url}/p/payments?status=paid`)
      const row = staff.locator('[data-testid="invoices"] tr[data-status="paid"]')
      await expect.poll(() => row.count()).toBe(1)
      expect(await row.textContent()).toContain(email)
      await row.getByRole('link').click()
      await staff.waitForURL(new RegExp(`/p/payments/invoice\\?id=${invoiceId}`))
      expect(await staff.getByTestId('invoice-status').textContent()).toBe('paid')
      const receiptHref = await staff.getByTestId('receipt-pdf').getAttribute('href')
      const pdf = await fetch(receiptHref!)
      expect(pdf.headers.get('content-type')).toContain('application/pdf')
      expect((await pdf.arrayBuffer()).byteLength).toBeGreaterThan(500)
      await staff.goto(`${web.dashboard.url}/`)
      expect(await staff.getByTestId('revenue-usd').getByTestId('revenue-net').textContent()).toBe('$199.00')

      // A partial refund from the invoice page (live client): the provider's refund event updates it.
      await staff.goto(`${web.dashboard.url}/p/payments/invoice?id=${invoiceId}`, {
        waitUntil: 'networkidle'
      })
      await staff.getByTestId('refund-amount').fill('50')
      await staff.getByTestId('refund').click()
      await expect
        .poll(() => staff.getByTestId('invoice-message').textContent())
        .toBe('Refund of $50.00 requested.')
      await expect
        .poll(() => staff.getByTestId('invoice-status').textContent(), { timeout: 20_000 })
        .toBe('partially refunded')
      await mailTo(email, /refund/i)
    } catch (error) {
      for (const [index, context] of contexts.entries()) {
        await context
          .pages()[0]
          ?.screenshot({
            path: join(REPO_ROOT, 'test-artifacts', 'screenshots', `payments-flow-${index}.png`),
            fullPage: true
          })
          .catch(() => undefined)
      }
      throw error
    } finally {
      await Promise.all(contexts.map((context) => context.close()))
    }
  })

  it('issues an invoice on demand from the payments page, showing field errors first', {
    timeout: 120_000
  }, async () => {
    const context = await web.browser.newContext()
    context.setDefaultTimeout(15_000)
    const staff = await context.newPage()
    try {
      await signInToDashboard(staff)
      await staff.goto(`${web.dashboard.url}/p/payments`, { waitUntil: 'networkidle' })
      const form = staff.getByTestId('new-invoice')
      const email = `walk-in-${randomBytes(3).toString('hex')}@example.com`
      await form.getByTestId('new-invoice-name').fill('Pat Walk-in')
      await form.getByTestId('new-invoice-email').fill('not-an-email')
      await form.getByTestId('new-invoice-description').fill('Private coaching')
      // The amount is checked in the page, the rest by the service: its field errors show by their fields.
      await form.getByTestId('new-invoice-submit').click()
      expect(await form.getByTestId('new-invoice-error-amount').textContent()).toContain('greater than 0')
      await form.getByTestId('new-invoice-amount').fill('120')
      await form.getByTestId('new-invoice-submit').click()
      await expect
        .poll(() => form.getByTestId('new-invoice-error-email').textContent())
        .toBe('must be an email address')
      expect(await form.getByTestId('new-invoice-email').getAttribute('aria-invalid')).toBe('true')
      await form.getByTestId('new-invoice-email').fill(email)
      await form.getByTestId('new-invoice-submit').click()
      const issued = form.getByTestId('new-invoice-issued')
      await expect.poll(() => issued.textContent()).toMatch(/Invoice AVA-\d+ over \$120\.00 issued/)
      expect(await form.getByTestId('new-invoice-error-email').count()).toBe(0)
      const row = staff.locator('[data-testid="invoices"] tr', { hasText: email })
      await expect.poll(() => row.count()).toBe(1)
      expect(await row.getAttribute('data-status')).toBe('open')
      const mail = await mailTo(email, /invoice/i)
      expect(mail.subject).toContain('$120.00')
      // One invoice for the submitted form: the service lists exactly one for this customer.
      await staff.reload({ waitUntil: 'networkidle' })
      await expect.poll(() => row.count()).toBe(1)
    } catch (error) {
      await staff
        .screenshot({
          path: join(REPO_ROOT, 'test-artifacts', 'screenshots', 'payments-new-invoice.png'),
          fullPage: true
        })
        .catch(() => undefined)
      throw error
    } finally {
      await context.close()
    }
  })
})
