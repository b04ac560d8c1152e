// The document store on a paid invoice: the receipt email attaches exactly the stored rendering, and the
// first-use path (render before looking) still hands out the stored bytes when a version exists already.
import { runAsSystem } from '@masterstage/core'
import { describe, expect, it } from 'vitest'
import { documentPdf, firstDocumentPdf } from '../../documents/document-store.ts'
import {
  deliver,
  eventually,
  openInvoice,
  paymentOf,
  sessionCompleted,
  useStripeScenario
} from '../support/stripe-scenario.ts'

const scenario = useStripeScenario('document-store')
const asAva = <T>(fn: () => Promise<T>) => runAsSystem('test', scenario.harness.tenants.ava._id, fn)

async function paidInvoice() {
  const opened = await openInvoice(scenario)
  await deliver(scenario, sessionCompleted(opened.session, 'paid'))
  await eventually(
    async () => (await paymentOf(scenario, opened.paymentId))?.status === 'succeeded',
    15_000,
    'payment succeeded'
  )
  return opened
}

describe('document store', () => {
  it('attaches to the receipt email the very bytes it stores for the version', async () => {
    const { invoice } = await paidInvoice()
    const mail = await eventually(
      () =>
        scenario.harness.mailer.sent.find(
          (sent) => sent.to === invoice.customer.email && /payment received/.test(sent.subject)
        ),
      15_000,
      'receipt email'
    )
    const stored = await asAva(() =>
      scenario.harness.runtime.models.documents
        .find({ invoiceId: invoice._id, kind: 'receipt' })
        .lean()
        .exec()
    )
    expect(stored).toHaveLength(1)
    const pdf = (stored as any[])[0].pdf
    expect(Buffer.from(pdf.buffer ?? pdf).equals(mail.attachments![0].content as Buffer)).toBe(true)
  })

  it('hands out a version stored already instead of its own rendering, and renders with the invoice payment', async () => {
    const { invoice, paymentId } = await paidInvoice()
    const { documents } = scenario.harness.runtime.models
    const filter = { invoiceId: invoice._id, kind: 'receipt' as const }
    await eventually(
      async () => (await asAva(() => documents.countDocuments(filter).exec())) === 1,
      15_000,
      'receipt'
    )
    // As if an earlier deploy rendered this version differently: every later use sends those bytes.
    const earlier = Buffer.from('%PDF-1.4 earlier rendering')
    await asAva(() => documents.updateOne(filter, { $set: { pdf: earlier } }).exec())
    const again = await asAva(() =>
      firstDocumentPdf(scenario.harness.runtime, invoice._id, 'receipt', paymentId)
    )
    expect(again?.equals(earlier)).toBe(true)
    expect(
      (await asAva(() => documentPdf(scenario.harness.runtime, invoice._id, 'receipt')))?.equals(earlier)
    ).toBe(true)
    // A fresh version, asked for with a payment id that is not the invoice's: rendered from the invoice's
    // own payment all the same.
    await asAva(() => documents.deleteMany(filter).exec())
    const rendered = await asAva(() =>
      firstDocumentPdf(scenario.harness.runtime, invoice._id, 'receipt', 'some-other-payment')
    )
    expect(rendered?.toString('latin1')).toContain(invoice.number)
    expect(await asAva(() => documents.countDocuments(filter).exec())).toBe(1)
    expect(
      await asAva(() => firstDocumentPdf(scenario.harness.runtime, 'no-such-invoice', 'receipt'))
    ).toBeNull()
  })
})
