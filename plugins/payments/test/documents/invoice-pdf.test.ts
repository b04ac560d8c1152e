// The invoice and receipt PDFs are structurally valid and show the number, amounts and status: checked with
// the home-grown inspector (structure, exact lines) and with pdf.js (unpdf), an independent parser.
import { describe, expect, it } from 'vitest'
import { type DocumentInput, renderInvoicePdf, renderReceiptPdf } from '../../documents/invoice-pdf.ts'
import { inspectPdf } from '../support/pdf-inspect.ts'
import { parsePdf } from '../support/pdf-parse-independent.ts'

const invoice: DocumentInput['invoice'] = {
  number: 'AVA-000042',
  status: 'open',
  customer: { name: 'Jamie (Lead) Doe', email: 'jamie@example.com' },
  lineItems: [
    {
      description: 'Strong in 12 weeks - live masterclass',
      quantity: 1,
      unitAmountMinor: 19_900,
      amountMinor: 19_900
    }
  ],
  currency: 'usd',
  subtotalMinor: 19_900,
  totalMinor: 19_900,
  amountRefundedMinor: 0,
  issuer: {
    legalName: 'Ava Fit Academy LLC',
    address: '1 Main St\nLos Angeles, CA',
    taxId: 'US-123',
    email: 'billing@avafit.example'
  },
  brand: { name: 'Ava Fit Academy', primaryColor: '#FF4F6D' },
  issuedAt: new Date('2026-11-24T10:00:00Z'),
  dueAt: new Date('2026-12-08T10:00:00Z'),
  disputed: false
}

describe('invoice and receipt PDFs', () => {
  it('are read by pdf.js (an independent parser): one page, the number and the amounts', async () => {
    const invoicePdf = await parsePdf(
      renderInvoicePdf({ invoice, payUrl: 'http://ava-fit.localhost/pay/abc' })
    )
    expect(invoicePdf.pageCount).toBe(1)
    expect(invoicePdf.text).toContain('Invoice AVA-000042')
    expect(invoicePdf.text).toContain('$199.00')
    expect(invoicePdf.text).toContain('Jamie (Lead) Doe')
    const payment = {
      _id: 'p1',
      amountMinor: 19_900,
      paymentIntentId: 'pi_123',
      succeededAt: new Date('2026-11-25')
    }
    const receiptPdf = await parsePdf(
      renderReceiptPdf({
        invoice: { ...invoice, status: 'partially_refunded', amountRefundedMinor: 5_000 },
        payment
      })
    )
    expect(receiptPdf.pageCount).toBe(1)
    expect(receiptPdf.text).toContain('Receipt for invoice AVA-000042')
    expect(receiptPdf.text).toContain('$199.00')
    expect(receiptPdf.text).toContain('-$50.00')
    // A damaged file is refused by the same parser: the checks above are not vacuous.
    const damaged = Buffer.from(
      renderInvoicePdf({ invoice }).toString('latin1').replace('/Root 1 0 R', '/Root 9 0 R'),
      'latin1'
    )
    await expect(parsePdf(damaged)).rejects.toThrow()
  })

  it('renders a valid invoice PDF containing the number, the amount and the pay link', () => {
    const pdf = renderInvoicePdf({ invoice, payUrl: 'http://ava-fit.localhost/pay/abc' })
    const inspected = inspectPdf(pdf)
    expect(inspected.pageCount).toBe(1)
    expect(inspected.text).toContain('Invoice AVA-000042')
    expect(inspected.text).toContain('$199.00')
    expect(inspected.text).toContain('Jamie (Lead) Doe')
    expect(inspected.text).toContain('Pay online: http://ava-fit.localhost/pay/abc')
    expect(inspected.text).toContain('Open - payment due')
  })

  it('renders a receipt with the paid amount, and the refund once refunded', () => {
    const payment = {
      _id: 'p1',
      amountMinor: 19_900,
      paymentIntentId: 'pi_123',
      succeededAt: new Date('2026-11-25T00:00:00Z')
    }
    const receipt = inspectPdf(renderReceiptPdf({ invoice: { ...invoice, status: 'paid' }, payment }))
    expect(receipt.text).toContain('Receipt for invoice AVA-000042')
    expect(receipt.text).toContain('Paid: 2026-11-25')
    expect(receipt.text).toContain('Paid - thank you')
    const refunded = inspectPdf(
      renderReceiptPdf({
        invoice: { ...invoice, status: 'partially_refunded', amountRefundedMinor: 5_000 },
        payment
      })
    )
    expect(refunded.text).toContain('-$50.00')
    expect(refunded.text).toContain('Paid - partially refunded')
  })

  it('formats zero-decimal currencies and escapes characters outside WinAnsi', () => {
    const pdf = renderInvoicePdf({
      invoice: {
        ...invoice,
        currency: 'jpy',
        totalMinor: 5000,
        subtotalMinor: 5000,
        customer: { name: 'Ōno 🎉', email: 'o@example.com' }
      }
    })
    const inspected = inspectPdf(pdf)
    expect(inspected.text).toContain('¥5,000')
    expect(inspected.text.some((line) => line.startsWith('?no'))).toBe(true)
  })

  it('is detected as broken when bytes shift (the validator is not a rubber stamp)', () => {
    const pdf = renderInvoicePdf({ invoice })
    const shifted = Buffer.concat([pdf.subarray(0, 20), Buffer.from(' '), pdf.subarray(20)])
    expect(() => inspectPdf(shifted)).toThrow(/offset|startxref/)
  })
})
