// Staff payments list (status filter) and detail; payments change only through the provider's events.
import type { MasterstageParams } from '@masterstage/core'
import { notFound, trusted } from '@masterstage/core'
import type { PaymentStatus } from '../contract.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { listQuery } from './service-params.ts'

const STATUSES: readonly PaymentStatus[] = [
  'pending',
  'processing',
  'failed',
  'expired',
  'succeeded',
  'partially_refunded',
  'refunded',
  // Money moved but not applied to the invoice: the dashboard filters on them (staff decide on these).
  'duplicate',
  'needs_review'
]

export class PaymentsService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  async find(params: MasterstageParams) {
    const { query, limit, skip, filter } = listQuery(params, ['invoiceId', 'disputed'], STATUSES)
    if (query.invoiceId !== undefined) filter.invoiceId = String(query.invoiceId)
    if (query.disputed === 'true' || query.disputed === true)
      filter['dispute.id'] = trusted({ $exists: true })
    const { payments } = this.runtime().models
    // _id breaks ties of createdAt, so pages neither repeat nor skip a payment.
    const [total, data] = await Promise.all([
      payments.countDocuments(filter),
      payments.find(filter).sort({ createdAt: -1, _id: -1 }).skip(skip).limit(limit).lean()
    ])
    return { total, limit, skip, data: data.map(view) }
  }

  async get(id: string) {
    const payment = await this.runtime()
      .models.payments.findOne({ _id: String(id) })
      .lean()
    if (!payment) throw notFound('Payment not found')
    return view(payment)
  }
}

/** The idempotency key and checkout URL are internal plumbing. */
function view(payment: Record<string, any>) {
  const { idempotencyKey: _key, checkoutUrl: _url, ...rest } = payment
  return rest
}
