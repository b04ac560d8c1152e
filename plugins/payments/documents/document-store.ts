// Renders a document once per invoice document version and keeps the bytes, so the emailed link and
// the dashboard serve the same PDF, and a refund or dispute (new version) renders a fresh one.
import { isDuplicateKeyError } from '@masterstage/core'
import { renderInvoicePdf, renderReceiptPdf } from '../documents/invoice-pdf.ts'
import type { DocumentKind } from '../models/document-model.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'

/**
 * The stored rendering of the invoice's current version, rendered and stored first when there is none
 * (links and the dashboard: usually stored already). Runs in the invoice's tenant scope; null when the
 * invoice (or, for receipts, its payment) is missing.
 */
export async function documentPdf(
  runtime: PaymentsRuntime,
  invoiceId: string,
  kind: DocumentKind
): Promise<Buffer | null> {
  const invoice = await readInvoice(runtime, invoiceId)
  if (!invoice) return null
  const stored = await storedPdf(runtime, invoice, kind)
  if (stored) return stored
  const pdf = await renderDocument(runtime, invoice, kind)
  return pdf && storeRendering(runtime, invoice, kind, pdf)
}

/**
 * `documentPdf` for the first use of a version (the emails an invoice or payment event sends): renders
 * before looking for a stored copy, since there is usually none yet, and reads the invoice and the
 * expected payment at once, so the common case costs two parallel reads and one insert instead of four
 * reads in a row. A version stored already (a redelivery) still yields the stored bytes.
 */
export async function firstDocumentPdf(
  runtime: PaymentsRuntime,
  invoiceId: string,
  kind: DocumentKind,
  expectedPaymentId?: string
): Promise<Buffer | null> {
  const [invoice, expectedPayment] = await Promise.all([
    readInvoice(runtime, invoiceId),
    kind === 'receipt' && expectedPaymentId ? readPayment(runtime, expectedPaymentId) : null
  ])
  if (!invoice) return null
  const payment = expectedPayment && expectedPayment._id === invoice.paymentId ? expectedPayment : undefined
  const pdf = await renderDocument(runtime, invoice, kind, payment)
  return pdf && storeRendering(runtime, invoice, kind, pdf)
}

function readInvoice(runtime: PaymentsRuntime, invoiceId: string): Promise<Invoice | null> {
  return runtime.models.invoices
    .findOne({ _id: invoiceId })
    .select('+payToken')
    .lean() as Promise<Invoice | null>
}

function readPayment(runtime: PaymentsRuntime, paymentId: string): Promise<Payment | null> {
  return runtime.models.payments.findOne({ _id: paymentId }).lean() as Promise<Payment | null>
}

async function storedPdf(
  runtime: PaymentsRuntime,
  invoice: Invoice,
  kind: DocumentKind
): Promise<Buffer | null> {
  const stored = await runtime.models.documents
    .findOne({ invoiceId: invoice._id, kind, version: invoice.documentVersion })
    .lean()
  return stored ? Buffer.from(stored.pdf.buffer ?? stored.pdf) : null
}

/** Renders the invoice's current version; a receipt reads its payment unless given. */
async function renderDocument(
  runtime: PaymentsRuntime,
  invoice: Invoice,
  kind: DocumentKind,
  knownPayment?: Payment
): Promise<Buffer | null> {
  if (kind === 'receipt') {
    if (!invoice.paymentId) return null
    const payment = knownPayment ?? (await readPayment(runtime, invoice.paymentId))
    return payment ? renderReceiptPdf({ invoice, payment }) : null
  }
  const profile = await runtime.profile(invoice.tenantId)
  return renderInvoicePdf({ invoice, payUrl: runtime.links.payUrl(profile, invoice) })
}

/** Stores a rendering; when that version is stored already (a concurrent or earlier render), its bytes. */
async function storeRendering(
  runtime: PaymentsRuntime,
  invoice: Invoice,
  kind: DocumentKind,
  pdf: Buffer
): Promise<Buffer> {
  try {
    await runtime.models.documents.create({
      invoiceId: invoice._id,
      kind,
      version: invoice.documentVersion,
      pdf,
      renderedAt: new Date()
    })
    return pdf
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error
    // Every copy of one version is sent and served as the first stored one.
    return (await storedPdf(runtime, invoice, kind)) ?? pdf
  }
}
