// Staff invoices: list with status filters and totals, detail with document links, issue on demand,
// and resend the invoice email.
import { randomUUID } from 'node:crypto'
import type { MasterstageParams } from '@masterstage/core'
import { notFound, validationError } from '@masterstage/core'
import type { InvoiceStatus } from '../contract.ts'
import { issueInvoice } from '../domain/issue-invoice.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { listQuery } from './service-params.ts'

const STATUSES: InvoiceStatus[] = ['open', 'paid', 'partially_refunded', 'refunded', 'void']

/** What a resent invoice email says instead of the pay link when the invoice is not payable. */
const NOT_PAYABLE: Record<Exclude<InvoiceStatus, 'open'>, string> = {
  paid: 'This invoice is paid: nothing is due. Thank you!',
  partially_refunded: 'This invoice is paid and partly refunded: nothing is due.',
  refunded: 'This invoice was refunded: nothing is due.',
  void: 'This invoice is void: nothing is due.'
}

export interface InvoiceView extends Omit<Invoice, 'payToken'> {
  invoiceUrl: string
  receiptUrl: string | null
}

export interface CreateInvoiceData {
  customer: { name: string; email: string }
  lineItems: { description: string; quantity: number; unitAmountMinor: number }[]
  currency?: string
  leadId?: string
  /** Client idempotency key: a retried create returns the same invoice. */
  idempotencyKey?: string
}

export class InvoicesService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  async find(params: MasterstageParams) {
    const { query, limit, skip, filter } = listQuery(params, ['leadId', 'email'], STATUSES)
    if (query.leadId !== undefined) filter.leadId = String(query.leadId)
    if (query.email !== undefined) filter['customer.email'] = String(query.email).toLowerCase()
    const { invoices } = this.runtime().models
    // _id breaks ties of issuedAt: a total order, so consecutive pages neither repeat nor skip an invoice.
    const [total, rows, sums] = await Promise.all([
      invoices.countDocuments(filter),
      invoices.find(filter).sort({ issuedAt: -1, _id: -1 }).skip(skip).limit(limit).lean(),
      invoices.aggregate([
        { $match: filter },
        {
          $group: {
            _id: '$currency',
            totalMinor: { $sum: '$totalMinor' },
            paidMinor: { $sum: '$amountPaidMinor' },
            refundedMinor: { $sum: '$amountRefundedMinor' }
          }
        }
      ])
    ])
    return {
      total,
      limit,
      skip,
      data: rows.map((row: unknown) => this.toView(row as Invoice)),
      totals: Object.fromEntries(
        sums.map((sum: any) => [
          sum._id,
          { totalMinor: sum.totalMinor, paidMinor: sum.paidMinor, refundedMinor: sum.refundedMinor }
        ])
      )
    }
  }

  async get(id: string) {
    const invoice = await this.runtime()
      .models.invoices.findOne({ _id: String(id) })
      .lean()
    if (!invoice) throw notFound('Invoice not found')
    return this.toView(invoice as Invoice)
  }

  async create(data: CreateInvoiceData) {
    const idempotencyKey = data?.idempotencyKey
    if (
      idempotencyKey !== undefined &&
      (typeof idempotencyKey !== 'string' || !/^[\w-]{8,80}$/.test(idempotencyKey))
    ) {
      throw validationError('Invalid invoice', [
        { path: 'idempotencyKey', message: 'must be 8-80 letters, digits, _ or -' }
      ])
    }
    const { invoice } = await issueInvoice(this.runtime(), {
      dedupeKey: `manual:${idempotencyKey ?? randomUUID()}`,
      leadId: typeof data?.leadId === 'string' ? data.leadId : undefined,
      customer: data?.customer,
      lineItems: data?.lineItems,
      currency: data?.currency
    })
    return this.toView(invoice)
  }

  /**
   * Sends the invoice email again: a deliberate new send, so it gets its own idempotency key; a client
   * key (one per click) makes a retried or double-submitted request send once.
   */
  async resend(data: { invoiceId: string; idempotencyKey?: string }) {
    const clientKey = data?.idempotencyKey
    if (clientKey !== undefined && (typeof clientKey !== 'string' || !/^[\w-]{8,80}$/.test(clientKey)))
      throw validationError('Invalid reminder', [
        { path: 'idempotencyKey', message: 'must be 8-80 letters, digits, _ or -' }
      ])
    const runtime = this.runtime()
    const invoice = (await runtime.models.invoices
      .findOne({ _id: String(data?.invoiceId) })
      .select('+payToken')
      .lean()) as Invoice | null
    if (!invoice) throw notFound('Invoice not found')
    const profile = await runtime.profile(invoice.tenantId)
    const { documentPdf } = await import('../documents/document-store.ts')
    const pdf = await documentPdf(runtime, invoice._id, 'invoice')
    // Only an open invoice can be paid: for any other the pay link would answer 409, so the email says
    // where the invoice stands instead (with the receipt once paid).
    const { status } = invoice
    const standing =
      status === 'open'
        ? `Pay securely online: ${runtime.links.payUrl(profile, invoice)}`
        : [
            NOT_PAYABLE[status],
            ...(invoice.paymentId
              ? [`Receipt: ${runtime.links.documentUrl(invoice.tenantId, invoice._id, 'receipt')}`]
              : [])
          ].join('\n')
    await runtime.ctx.email.send({
      tenantId: invoice.tenantId,
      to: invoice.customer.email,
      subject: `${profile.name}: invoice ${invoice.number} (${status === 'open' ? 'reminder' : 'copy'})`,
      text: `Your invoice ${invoice.number} is attached.\n${standing}\n\n${profile.name}`,
      attachments: pdf
        ? [{ filename: `${invoice.number}.pdf`, contentType: 'application/pdf', content: pdf }]
        : [],
      idempotencyKey: `payments.invoice-resend:${invoice._id}:${clientKey ?? randomUUID()}`
    })
    return { invoiceId: invoice._id, resent: true }
  }

  toView(invoice: Invoice): InvoiceView {
    const { payToken: _secret, ...rest } = invoice as Invoice & { payToken?: string }
    // The invoice's own tenant: the agency-wide view lists several tenants' invoices.
    const { tenantId } = invoice
    const links = this.runtime().links
    return {
      ...rest,
      invoiceUrl: links.documentUrl(tenantId, invoice._id, 'invoice'),
      receiptUrl: invoice.paymentId ? links.documentUrl(tenantId, invoice._id, 'receipt') : null
    }
  }
}
