// Lays out the branded invoice and receipt PDFs from an invoice (and its payment, for receipts).
import { formatMoney } from '../domain/money.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import { A4, hexColor, PdfPage, renderPdf } from './minimal-pdf.ts'

const MARGIN = 50
const GREY = [0.4, 0.4, 0.4] as const

export interface DocumentInput {
  invoice: Pick<
    Invoice,
    | 'number'
    | 'status'
    | 'customer'
    | 'lineItems'
    | 'currency'
    | 'subtotalMinor'
    | 'totalMinor'
    | 'amountRefundedMinor'
    | 'issuer'
    | 'brand'
    | 'issuedAt'
    | 'dueAt'
    | 'paidAt'
    | 'disputed'
  >
  payment?: Pick<Payment, '_id' | 'amountMinor' | 'paymentIntentId' | 'succeededAt'>
  payUrl?: string
}

export function renderInvoicePdf(input: DocumentInput): Buffer {
  return render('invoice', input)
}

export function renderReceiptPdf(input: DocumentInput): Buffer {
  if (!input.payment) throw new Error('A receipt needs the payment')
  return render('receipt', input)
}

function render(kind: 'invoice' | 'receipt', { invoice, payment, payUrl }: DocumentInput): Buffer {
  const page = new PdfPage()
  const brand = hexColor(invoice.brand.primaryColor)
  const money = (amount: number) => formatMoney(amount, invoice.currency)
  const date = (value: Date | undefined) => (value ? new Date(value).toISOString().slice(0, 10) : '-')
  const right = (x: number, y: number, text: string, options: { size?: number; bold?: boolean } = {}) =>
    page.text(x - PdfPage.textWidth(text, options.size ?? 10), y, text, options)

  page.rect(0, A4.height - 90, A4.width, 90, brand)
  page.text(MARGIN, A4.height - 55, invoice.brand.name, { size: 22, bold: true, color: [1, 1, 1] })
  right(A4.width - MARGIN, A4.height - 55, kind === 'invoice' ? 'INVOICE' : 'RECEIPT', {
    size: 18,
    bold: true
  })

  let y = A4.height - 130
  page.text(MARGIN, y, `${kind === 'invoice' ? 'Invoice' : 'Receipt for invoice'} ${invoice.number}`, {
    size: 14,
    bold: true
  })
  y -= 20
  page.text(MARGIN, y, `Issued: ${date(invoice.issuedAt)}`, { color: GREY })
  if (kind === 'invoice') page.text(MARGIN + 160, y, `Due: ${date(invoice.dueAt)}`, { color: GREY })
  else page.text(MARGIN + 160, y, `Paid: ${date(payment?.succeededAt ?? invoice.paidAt)}`, { color: GREY })
  y -= 35

  page.text(MARGIN, y, 'From', { bold: true })
  page.text(320, y, 'Bill to', { bold: true })
  y -= 15
  const from = [
    invoice.issuer.legalName,
    ...invoice.issuer.address.split('\n'),
    invoice.issuer.taxId ? `Tax ID: ${invoice.issuer.taxId}` : ''
  ]
  const to = [invoice.customer.name, invoice.customer.email]
  for (let row = 0; row < Math.max(from.length, to.length); row += 1) {
    if (from[row]) page.text(MARGIN, y, from[row])
    if (to[row]) page.text(320, y, to[row])
    y -= 14
  }
  y -= 20

  page.rect(MARGIN, y - 6, A4.width - 2 * MARGIN, 20, [0.94, 0.94, 0.94])
  page.text(MARGIN + 6, y, 'Description', { bold: true })
  right(380, y, 'Qty', { bold: true })
  right(460, y, 'Unit price', { bold: true })
  right(A4.width - MARGIN - 6, y, 'Amount', { bold: true })
  y -= 22
  for (const item of invoice.lineItems) {
    page.text(MARGIN + 6, y, item.description)
    right(380, y, String(item.quantity))
    right(460, y, money(item.unitAmountMinor))
    right(A4.width - MARGIN - 6, y, money(item.amountMinor))
    y -= 18
  }
  y -= 10
  const totals: [string, string, boolean][] = [
    ['Subtotal', money(invoice.subtotalMinor), false],
    ['Total', money(invoice.totalMinor), true]
  ]
  if (kind === 'receipt') totals.push(['Amount paid', money(payment!.amountMinor), true])
  if (invoice.amountRefundedMinor > 0)
    totals.push(['Refunded', `-${money(invoice.amountRefundedMinor)}`, true])
  for (const [label, value, bold] of totals) {
    page.text(340, y, label, { bold })
    right(A4.width - MARGIN - 6, y, value, { bold })
    y -= 16
  }
  y -= 20
  const status = statusLine(kind, invoice)
  page.text(MARGIN, y, status, { bold: true, color: brand })
  y -= 18
  if (kind === 'invoice' && payUrl && invoice.status === 'open') page.text(MARGIN, y, `Pay online: ${payUrl}`)
  if (kind === 'receipt' && payment?.paymentIntentId)
    page.text(MARGIN, y, `Payment reference: ${payment.paymentIntentId}`, { color: GREY })

  page.text(
    MARGIN,
    40,
    `${invoice.issuer.legalName}${invoice.issuer.email ? ` - ${invoice.issuer.email}` : ''}`,
    { size: 8, color: GREY }
  )
  return renderPdf([page], {
    title: `${kind === 'invoice' ? 'Invoice' : 'Receipt'} ${invoice.number}`,
    author: invoice.issuer.legalName
  })
}

function statusLine(kind: 'invoice' | 'receipt', invoice: DocumentInput['invoice']): string {
  if (invoice.status === 'refunded') return 'Refunded in full'
  if (invoice.status === 'partially_refunded') return 'Paid - partially refunded'
  if (invoice.disputed) return 'Paid - under dispute'
  if (kind === 'receipt' || invoice.status === 'paid') return 'Paid - thank you'
  if (invoice.status === 'void') return 'Void'
  return 'Open - payment due'
}
