// Browser test: two reps watch the pipeline board in two browsers (built dashboard, real API on the harness
// database, Debian Chromium); a storefront registration appears on both boards live, and a move made
// elsewhere moves the card on both. The export link downloads the CSV of the board's current filters. The
// sales metrics page draws its charts (conversion, revenue, per day, time in stage, breakdown) with the right
// figures.
import { readFile } from 'node:fs/promises'
import { seedAgency, seedStaff, seedTenant } from '@masterstage/core/testing'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { signInToDashboard } from '../../../../core/test/client/support/dashboard-session.ts'
import { useWebStack } from '../../../../core/test/support/web-stack.ts'
import masterclassesPlugin from '../../../masterclasses/plugin.ts'
import pipelinePlugin from '../../plugin.ts'
import { seedCatalogue } from '../support/catalogue.ts'
import { call } from '../support/pipeline-test-app.ts'

const REP = { email: 'sam@agency.test', password: 'sales-rep-pass-1' }
const HOST = { email: 'ava@agency.test', password: 'host-password-1' }
const STEPS = ['NEW->INVOICED', 'INVOICED->PAID', 'PAID->ATTENDED', 'ATTENDED->SCHEDULED', 'SCHEDULED->WON']
type ChartData = { labels: string[]; datasets: { label: string; data: (number | null)[] }[] }

const web = useWebStack('pipeline-board-e2e', {
  // As in production and `npm start`: event handlers run in a separate worker process, whose lead moves
  // reach the boards' sockets (held by the API process) through core's realtime relay.
  api: { plugins: [masterclassesPlugin, pipelinePlugin], worker: 'process' },
  seed: async (api) => {
    const agency = await seedAgency(api.app, 'northwind', 'Northwind')
    const tenant = await seedTenant(api.app, {
      slug: 'ava-studio',
      name: 'Ava Studio',
      agencyId: agency._id,
      plugins: ['masterclasses', 'pipeline']
    })
    for (const [user, role] of [
      [REP, 'sales_rep'],
      [HOST, 'host']
    ] as const) {
      await seedStaff(api.app, { ...user, role, agencyId: agency._id, tenantIds: [tenant._id] })
    }
    // Two masterclasses of the tenant's catalogue (registration refuses others).
    return { tenantId: tenant._id, mc: await seedCatalogue(api.app, tenant._id, ['one', 'two']) }
  },
  dashboard: {}
})

describe('pipeline board in the browser', () => {
  it('a registration and a move show up live on two reps’ boards', async () => {
    const contexts = await Promise.all([web.browser.newContext(), web.browser.newContext()])
    try {
      for (const context of contexts) context.setDefaultTimeout(10_000)
      const pages = await Promise.all(contexts.map((context) => context.newPage()))
      await signInToDashboard(pages[0], web.dashboard.url, REP)
      await signInToDashboard(pages[1], web.dashboard.url, HOST)
      for (const page of pages) {
        await page.goto(`${web.dashboard.url}/p/pipeline`)
        await page.getByTestId('pipeline-board').waitFor()
        await page.waitForLoadState('networkidle')
      }
      const registered = await call(
        web.api.url,
        'POST',
        '/pipeline/registrations',
        {
          name: 'Live Person',
          email: 'live.person@example.com',
          masterclassId: web.seed.mc.one,
          consent: true
        },
        { tenant: 'ava-studio' }
      )
      expect(registered.status).toBe(201)
      for (const page of pages) {
        await expect
          .poll(() => page.locator('[data-status="NEW"] [data-testid="lead-card"]').allTextContents(), {
            timeout: 15_000
          })
          .toEqual([expect.stringContaining('live.person@example.com')])
      }
      const login = await call(web.api.url, 'POST', '/authentication', { strategy: 'local', ...REP })
      const [lead] = (
        await call(web.api.url, 'GET', '/pipeline/leads', undefined, {
          tenant: 'ava-studio',
          token: login.body.accessToken
        })
      ).body.data
      const moved = await call(
        web.api.url,
        'POST',
        '/pipeline/leads',
        { leadId: lead._id, to: 'LOST' },
        {
          tenant: 'ava-studio',
          token: login.body.accessToken,
          serviceMethod: 'move'
        }
      )
      expect(moved.status).toBe(200)
      for (const page of pages) {
        await expect
          .poll(() => page.locator('[data-status="LOST"] [data-testid="lead-card"]').count(), {
            timeout: 15_000
          })
          .toBe(1)
        expect(await page.locator('[data-status="NEW"] [data-testid="lead-card"]').count()).toBe(0)
      }

      // A move made by an event handler in the worker process (no request, other process) shows live too.
      const second = await call(
        web.api.url,
        'POST',
        '/pipeline/registrations',
        {
          name: 'Worker Moved',
          email: 'worker.moved@example.com',
          masterclassId: web.seed.mc.one,
          consent: true
        },
        { tenant: 'ava-studio' }
      )
      expect(second.status).toBe(201)
      const leads = await call(web.api.url, 'GET', '/pipeline/leads', undefined, {
        tenant: 'ava-studio',
        token: login.body.accessToken
      })
      const secondLead = leads.body.data.find((each: any) => each.email === 'worker.moved@example.com')
      expect(secondLead?.status).toBe('NEW')
      await (web.api.app.get('events') as any).emit(
        'invoice.issued',
        { invoiceId: 'inv-board-live', leadId: secondLead._id },
        { tenantId: web.seed.tenantId, id: 'invoice.issued:inv-board-live' }
      )
      for (const page of pages) {
        await expect
          .poll(() => page.locator('[data-status="INVOICED"] [data-testid="lead-card"]').allTextContents(), {
            timeout: 20_000
          })
          .toEqual([expect.stringContaining('worker.moved@example.com')])
      }
    } catch (error) {
      for (const [index, context] of contexts.entries()) {
        await context
          .pages()[0]
          ?.screenshot({ path: `test-artifacts/screenshots/pipeline-board-${index}.png`, fullPage: true })
          .catch(() => undefined)
      }
      throw error
    } finally {
      await Promise.all(contexts.map((context) => context.close()))
    }
  }, 120_000)

  it('the export link downloads the CSV of the leads matching the board’s current filters', async () => {
    const context = await web.browser.newContext({ acceptDownloads: true })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    try {
      for (const [email, utmSource] of [
        ['insta.one@example.com', 'instagram'],
        ['insta.two@example.com', 'instagram'],
        ['tok.one@example.com', 'tiktok']
      ]) {
        const registered = await call(
          web.api.url,
          'POST',
          '/pipeline/registrations',
          { name: 'Filtered Person', email, masterclassId: web.seed.mc.two, consent: true, utmSource },
          { tenant: 'ava-studio' }
        )
        expect(registered.status).toBe(201)
      }
      await signInToDashboard(page, web.dashboard.url, HOST)
      await page.goto(`${web.dashboard.url}/p/pipeline`)
      await page.getByTestId('pipeline-board').waitFor()
      await page.waitForLoadState('networkidle')
      // Filter the way a rep does: the form, then the link carries the same filters.
      await page.getByLabel('Source').fill('instagram')
      await page.getByLabel('Masterclass').fill(web.seed.mc.two)
      await page.getByRole('button', { name: 'Filter' }).click()
      await page.waitForURL(/source=instagram/)
      await expect.poll(() => page.getByTestId('lead-card').count(), { timeout: 15_000 }).toBe(2)
      const download = page.waitForEvent('download')
      await page.getByRole('link', { name: 'Export CSV' }).click()
      const csv = await readFile(await (await download).path(), 'utf8')
      const [header, ...rows] = csv.trim().split(/\r?\n/)
      expect(header).toMatch(/^id,created_at,status,name,email/)
      const emailColumn = header.split(',').indexOf('email')
      expect(rows.map((row) => row.split(',')[emailColumn]).sort()).toEqual([
        'insta.one@example.com',
        'insta.two@example.com'
      ])
    } catch (error) {
      await page
        .screenshot({ path: 'test-artifacts/screenshots/pipeline-export.png', fullPage: true })
        .catch(() => undefined)
      throw error
    } finally {
      await context.close()
    }
  }, 120_000)
})

describe('sales metrics page in the browser', () => {
  /** What the Chart instance behind a canvas holds (chart-canvas.svelte copies it there once drawn). */
  async function chartData(page: Page, testId: string): Promise<ChartData> {
    const canvas = page.getByTestId(testId)
    await expect.poll(() => canvas.getAttribute('data-chart'), { timeout: 15_000 }).not.toBeNull()
    return JSON.parse((await canvas.getAttribute('data-chart'))!)
  }

  it('charts conversion, revenue, time in stage and a breakdown per source, masterclass or rep', async () => {
    // One paid lead, so revenue and a third stage show: insta.one pays 123.45 EUR (handled in the worker).
    const login = await call(web.api.url, 'POST', '/authentication', { strategy: 'local', ...HOST })
    const leads = (
      await call(web.api.url, 'GET', '/pipeline/leads', undefined, {
        tenant: 'ava-studio',
        token: login.body.accessToken
      })
    ).body.data
    const payer = leads.find((lead: any) => lead.email === 'insta.one@example.com')
    await (web.api.app.get('events') as any).emit(
      'payment.succeeded',
      { paymentId: 'pay-metrics', leadId: payer._id, amountMinor: 12_345, currency: 'eur' },
      { tenantId: web.seed.tenantId, id: 'payment.succeeded:pay-metrics' }
    )
    const metricsOf = async (dimension: string) =>
      (
        await call(web.api.url, 'GET', `/pipeline/metrics?dimension=${dimension}`, undefined, {
          tenant: 'ava-studio',
          token: login.body.accessToken
        })
      ).body
    await expect
      .poll(async () => (await metricsOf('source')).totals.revenueMinor, { timeout: 20_000 })
      .toEqual({ eur: 12_345 })

    const context = await web.browser.newContext()
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    try {
      await signInToDashboard(page, web.dashboard.url, HOST)
      // Without a chosen dimension the breakdown is per source.
      await page.goto(`${web.dashboard.url}/p/pipeline/metrics`, { waitUntil: 'networkidle' })
      // By hand: five leads this period (live.person LOST from NEW, worker.moved INVOICED, insta.one PAID,
      // insta.two and tok.one NEW); reached NEW 5, INVOICED 2, PAID 1.
      expect(await chartData(page, 'conversion-chart')).toEqual({
        labels: STEPS,
        datasets: [
          { label: 'Total', data: [40, 50, 0, null, null] },
          { label: 'instagram', data: [50, 100, 0, null, null] },
          { label: '(none)', data: [50, 0, null, null, null] },
          { label: 'tiktok', data: [0, null, null, null, null] }
        ]
      })
      expect(await chartData(page, 'revenue-chart')).toEqual({
        labels: ['instagram', '(none)', 'tiktok'],
        datasets: [{ label: 'EUR', data: [123.45, 0, 0] }]
      })
      // Per day over the last 30 days (the tenant sets no zone: UTC days): everything happened today, the
      // other days are drawn as zero.
      const dailyRevenue = await chartData(page, 'daily-revenue-chart')
      const earlier = dailyRevenue.labels.length - 1
      expect(dailyRevenue.labels.at(-1)).toBe(new Date().toISOString().slice(0, 10))
      expect(earlier).toBeGreaterThanOrEqual(30)
      expect(dailyRevenue.datasets).toEqual([{ label: 'EUR', data: [...Array(earlier).fill(0), 123.45] }])
      expect(await chartData(page, 'daily-leads-chart')).toEqual({
        labels: dailyRevenue.labels,
        datasets: [{ label: 'New leads', data: [...Array(earlier).fill(0), 5] }]
      })
      // Time in stage: the bars are the answer's averages and medians in hours.
      const bySource = await metricsOf('source')
      const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100
      const timeChart = await chartData(page, 'time-in-stage-chart')
      expect(timeChart.labels).toEqual(bySource.timeInStage.map((stage: any) => stage.status))
      expect(timeChart.labels).toContain('NEW')
      expect(timeChart.datasets).toEqual([
        { label: 'Average (h)', data: bySource.timeInStage.map((stage: any) => hours(stage.avgMs)) },
        { label: 'Median (h)', data: bySource.timeInStage.map((stage: any) => hours(stage.medianMs)) }
      ])
      expect(await chartData(page, 'breakdown-chart')).toEqual({
        labels: ['instagram', '(none)', 'tiktok'],
        datasets: [{ label: 'New leads', data: [2, 2, 1] }]
      })
      await page.getByTestId('breakdown-measure').selectOption('revenue:eur')
      await expect
        .poll(async () => (await chartData(page, 'breakdown-chart')).datasets)
        .toEqual([{ label: 'Revenue (EUR)', data: [123.45, 0, 0] }])

      // The dimension selector reloads the figures per masterclass; the chosen measure stays.
      await page.locator('form.period select[name="dimension"]').selectOption('masterclass')
      await page.waitForURL(/dimension=masterclass/)
      await expect
        .poll(async () => {
          const chart = await chartData(page, 'breakdown-chart')
          return Object.fromEntries(chart.labels.map((label, i) => [label, chart.datasets[0].data[i]]))
        })
        .toEqual({ [web.seed.mc.one]: 0, [web.seed.mc.two]: 123.45 })
      await page.getByTestId('breakdown-measure').selectOption('leads')
      await expect
        .poll(async () => {
          const chart = await chartData(page, 'breakdown-chart')
          return Object.fromEntries(chart.labels.map((label, i) => [label, chart.datasets[0].data[i]]))
        })
        .toEqual({ [web.seed.mc.one]: 2, [web.seed.mc.two]: 3 })
    } catch (error) {
      await page
        .screenshot({ path: 'test-artifacts/screenshots/pipeline-metrics-charts.png', fullPage: true })
        .catch(() => undefined)
      throw error
    } finally {
      await context.close()
    }
  }, 120_000)

  it('shows conversion, revenue and time in stage per source for the period, filtered by the form', async () => {
    const context = await web.browser.newContext()
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    try {
      await signInToDashboard(page, web.dashboard.url, HOST)
      // The leads registered above (today): two from instagram, one from tiktok, one without a source.
      await page.goto(`${web.dashboard.url}/p/pipeline/metrics?dimension=source`, {
        waitUntil: 'networkidle'
      })
      const conversion = page.getByTestId('conversion')
      await conversion.waitFor()
      const headers = await conversion.locator('thead th').allTextContents()
      expect(headers).toEqual(['Step', 'Total', 'instagram', '(none)', 'tiktok'])
      expect(await page.getByTestId('median-method').textContent()).toMatch(/exact/)
      await page.locator('form.period input[name="source"]').fill('tiktok')
      await page.getByRole('button', { name: 'Show' }).click()
      await page.waitForURL(/source=tiktok/)
      await expect
        .poll(() => page.getByTestId('conversion').locator('thead th').allTextContents())
        .toEqual(['Step', 'Total', 'tiktok'])
    } catch (error) {
      await page
        .screenshot({ path: 'test-artifacts/screenshots/pipeline-metrics.png', fullPage: true })
        .catch(() => undefined)
      throw error
    } finally {
      await context.close()
    }
  }, 120_000)
})
