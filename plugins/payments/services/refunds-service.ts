// Staff refunds (full or partial) of a settled payment on the tenant's connected account. The local
// records follow from the provider's charge.refunded event (cumulative amount, applied monotonically).
import { conflict, type FieldError, notFound, validationError } from '@masterstage/core'
import { PaymentsErrorCode } from '../domain/payments-errors.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { scopeTenantId } from './service-params.ts'

export interface RefundData {
  paymentId: string
  /** Omitted: refund whatever is left. */
  amountMinor?: number
  /** Client idempotency key: a double click refunds once. */
  idempotencyKey?: string
}

export class RefundsService {
  readonly runtime: () => PaymentsRuntime

  constructor(runtime: () => PaymentsRuntime) {
    this.runtime = runtime
  }

  async create(data: RefundData) {
    const errors: FieldError[] = []
    if (typeof data?.paymentId !== 'string' || data.paymentId === '')
      errors.push({ path: 'paymentId', message: 'is required' })
    if (data?.amountMinor !== undefined && (!Number.isInteger(data.amountMinor) || data.amountMinor <= 0)) {
      errors.push({ path: 'amountMinor', message: 'must be a positive integer in minor units' })
    }
    if (
      data?.idempotencyKey !== undefined &&
      (typeof data.idempotencyKey !== 'string' || !/^[\w-]{8,80}$/.test(data.idempotencyKey))
    ) {
      errors.push({ path: 'idempotencyKey', message: 'must be 8-80 letters, digits, _ or -' })
    }
    if (errors.length) throw validationError('Invalid refund', errors)
    const runtime = this.runtime()
    const tenantId = scopeTenantId()
    const payment = (await runtime.models.payments.findOne({ _id: data.paymentId }).lean()) as Payment | null
    if (!payment) throw notFound('Payment not found')
    const remaining = payment.amountMinor - payment.amountRefundedMinor
    if (
      !['succeeded', 'partially_refunded'].includes(payment.status) ||
      !payment.paymentIntentId ||
      remaining <= 0
    ) {
      throw conflict(`A ${payment.status} payment cannot be refunded`, {
        reason: PaymentsErrorCode.REFUND_NOT_ALLOWED
      })
    }
    const amount = data.amountMinor ?? remaining
    if (amount > remaining) {
      throw validationError('Invalid refund', [
        { path: 'amountMinor', message: `must be at most ${remaining} (what is left to refund)` }
      ])
    }
    const accountId = await runtime.accountIdOf(tenantId)
    if (!accountId)
      throw conflict('No connected account', { reason: PaymentsErrorCode.ACCOUNT_NOT_CONNECTED })
    // Without a client key, the key names the state refunded from: a resubmitted form refunds once.
    const key = data.idempotencyKey
      ? `refund:${payment._id}:${data.idempotencyKey}`
      : `refund:${payment._id}:${payment.amountRefundedMinor}:${amount}`
    const refund = await runtime.provider.refund(
      {
        accountId,
        paymentIntentId: payment.paymentIntentId,
        amountMinor: amount,
        metadata: { tenantId, paymentId: payment._id, refundId: key }
      },
      key
    )
    // Local amounts follow the provider's charge.refunded event, which carries the cumulative refunded
    // amount; adding here as well would double count when that event overtakes this answer.
    runtime.ctx.logger.info(
      { tenantId, paymentId: payment._id, amountMinor: refund.amountMinor },
      'refund created'
    )
    return {
      paymentId: payment._id,
      refundId: refund.id,
      amountMinor: refund.amountMinor,
      status: refund.status
    }
  }
}
