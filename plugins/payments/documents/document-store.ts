// Renders a document once per invoice document version and keeps the bytes, so the emailed link and
// the dashboard serve the same PDF, and a refund or dispute (new version) renders a fresh one.
import { isDuplicateKeyError } from '@masterstage/core'
import { renderInvoicePdf, renderReceiptPdf } from '../documents/invoice-pdf.ts'
import type { DocumentKind } from '../models/document-model.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'

/** Runs in the invoice's tenant scope; null when the invoice (or, for receipts, its payment) is missing. */
export async function documentPdf(
  runtime: PaymentsRuntime,
  invoiceId: string,
  kind: DocumentKind
): Promise<Buffer | null> {
  const { invoices, documents, payments } = runtime.models
  const invoice = (await invoices.findOne({ _id: invoiceId }).select('+payToken').lean()) as Invoice | null
  if (!invoice) return null
  const cached = await documents.findOne({ invoiceId, kind, version: invoice.documentVersion }).lean()
  if (cached) return Buffer.from(cached.pdf.buffer ?? cached.pdf)
  let pdf: Buffer
  if (kind === 'receipt') {
    if (!invoice.paymentId) return null
    const payment = (await payments.findOne({ _id: invoice.paymentId }).lean()) as Payment | null
    if (!payment) return null
    pdf = renderReceiptPdf({ invoice, payment })
  } else {
    const profile = await runtime.profile(invoice.tenantId)
    pdf = renderInvoicePdf({ invoice, payUrl: runtime.links.payUrl(profile, invoice) })
  }
  try {
    await documents.create({ invoiceId, kind, version: invoice.documentVersion, pdf, renderedAt: new Date() })
  } catch (error) {
    // A concurrent render stored the same version first; both rendered identical content.
    if (!isDuplicateKeyError(error)) throw error
  }
  return pdf
}
