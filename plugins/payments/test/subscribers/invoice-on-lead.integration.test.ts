// Invoices from leads with the real pipeline and masterclasses plugins over real HTTP: one invoice per
// (lead, paid masterclass), a second paid masterclass of the same lead is invoiced too (lead.updated),
// repeated registrations issue nothing more, and an unknown masterclass is "nothing to invoice".
import { randomBytes } from 'node:crypto'
import { runAsSystem } from '@masterstage/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import masterclasses from '../../../masterclasses/plugin.ts'
import pipeline from '../../../pipeline/plugin.ts'
import { issueForLead, issueForLeadUpdate } from '../../subscribers/invoice-on-lead.ts'
import {
  eventually,
  type PaymentsTestApp,
  sandboxPlatform,
  startPaymentsApp
} from '../support/payments-app.ts'

let harness: PaymentsTestApp
let hostToken: string
const tenant = () => harness.tenants.ava._id

async function masterclass(title: string, amount: number): Promise<string> {
  const created = await runAsSystem('test', tenant(), () =>
    (harness.app as any).service('masterclasses/masterclasses').create({
      title,
      description: 'Live training',
      hostId: randomBytes(12).toString('hex'),
      startTime: new Date(Date.now() + 86_400_000).toISOString(),
      endTime: new Date(Date.now() + 90_000_000).toISOString(),
      price: { amount, currency: 'USD' },
      maxAttendees: 100
    })
  )
  return String(created._id)
}

async function register(email: string, masterclassId: string) {
  const response = await harness.http.post(
    '/pipeline/registrations',
    { name: 'Jamie Lead', email, masterclassId, consent: true },
    { tenant: tenant() }
  )
  expect(response.status).toBe(201)
}

async function invoicesOf(email: string) {
  const response = await harness.http.get(`/payments/invoices?email=${encodeURIComponent(email)}`, {
    token: hostToken,
    tenant: tenant()
  })
  expect(response.status).toBe(200)
  return response.body.data as any[]
}

const quietLogger = { logger: { info() {}, warn() {}, error() {} } as any }

beforeAll(async () => {
  harness = await startPaymentsApp('invoice_on_lead', {
    plugins: [masterclasses, pipeline],
    platform: sandboxPlatform('whsec_lead_test')
  })
  hostToken = await harness.login(harness.tenants.ava.hostEmail, tenant())
})
afterAll(() => harness?.close())

describe('invoice on lead', () => {
  it("invoices a lead's second paid masterclass once, and nothing for repeats or free ones", {
    timeout: 60_000
  }, async () => {
    const [first, second, free] = [
      await masterclass('Strong in 12 weeks', 19_900),
      await masterclass('Run your first 10k', 4_900),
      await masterclass('Free intro', 0)
    ]
    const email = `lead-${randomBytes(3).toString('hex')}@example.com`
    await register(email, first)
    await eventually(async () => (await invoicesOf(email)).length === 1, 20_000, 'first invoice')
    await register(email, second)
    const both = await eventually(
      async () => {
        const rows = await invoicesOf(email)
        return rows.length === 2 && rows
      },
      20_000,
      'second invoice'
    )
    expect(both.map((row) => row.totalMinor).sort((a, b) => a - b)).toEqual([4_900, 19_900])
    expect(new Set(both.map((row) => row.leadId)).size).toBe(1)
    await register(email, second)
    await register(email, first)
    await register(email, free)
    // The repeats' lead.updated events are handled (or the wait would pass too early): a third
    // masterclass after them proves the subscriber ran past them.
    const third = await masterclass('Mobility basics', 2_500)
    await register(email, third)
    await eventually(async () => (await invoicesOf(email)).length === 3, 20_000, 'third invoice')
    await new Promise((resolve) => setTimeout(resolve, 500))
    const rows = await invoicesOf(email)
    expect(rows.map((row) => row.totalMinor).sort((a, b) => a - b)).toEqual([2_500, 4_900, 19_900])
  })

  it('treats an unknown masterclass as nothing to invoice instead of failing the delivery', async () => {
    const missing = randomBytes(12).toString('hex')
    const leadId = randomBytes(12).toString('hex')
    const email = `ghost-${randomBytes(3).toString('hex')}@example.com`
    await runAsSystem('test', tenant(), async () => {
      await expect(
        issueForLead(
          harness.runtime,
          { leadId, email, masterclassId: missing },
          `lead.created:${leadId}`,
          quietLogger
        )
      ).resolves.toBeUndefined()
      await expect(
        issueForLeadUpdate(
          harness.runtime,
          { leadId, email, masterclassId: missing, changed: ['registration'] },
          `lead.updated:${leadId}:1`,
          quietLogger
        )
      ).resolves.toBeUndefined()
    })
    expect(await invoicesOf(email)).toEqual([])
  })
})
