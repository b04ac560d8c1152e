// The attendee's own invoices and receipts in the storefront (matched by the account's email).
import type { MasterstageParams } from '@masterstage/core'
import { notAuthenticated } from '@masterstage/core'
import type { Invoice } from '../models/invoice-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { assertQueryKeys, scopeTenantId } from './service-params.ts'

export class MyDocumentsService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  /** Every invoice of the account (no filters, no paging): any query key is refused. */
  async find(params: MasterstageParams) {
    assertQueryKeys(params, [])
    const email = params.user?.email?.toLowerCase()
    if (!email) throw notAuthenticated()
    const runtime = this.runtime()
    const tenantId = scopeTenantId()
    const profile = await runtime.profile(tenantId)
    const invoices = (await runtime.models.invoices
      .find({ 'customer.email': email })
      .select('+payToken')
      .sort({ issuedAt: -1 })
      .limit(100)
      .lean()) as Invoice[]
    return invoices.map((invoice) => ({
      _id: invoice._id,
      number: invoice.number,
      status: invoice.status,
      totalMinor: invoice.totalMinor,
      amountRefundedMinor: invoice.amountRefundedMinor,
      currency: invoice.currency,
      issuedAt: invoice.issuedAt,
      paidAt: invoice.paidAt,
      lineItems: invoice.lineItems,
      invoiceUrl: runtime.links.documentUrl(tenantId, invoice._id, 'invoice'),
      receiptUrl: invoice.paymentId ? runtime.links.documentUrl(tenantId, invoice._id, 'receipt') : null,
      payUrl: invoice.status === 'open' ? runtime.links.payUrl(profile, invoice) : null
    }))
  }
}
