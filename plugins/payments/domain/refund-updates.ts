// `charge.refund.updated` carries a Refund, not a Charge: its status changes (pending → succeeded, or
// failed/canceled, which gives the money back to the merchant). Rather than trust the order events
// arrive in, the charge is re-read on the tenant's connected account and its current refunded amount
// becomes the local one: higher goes through the usual refund transition (payment.refunded, email),
// lower reverses what a failed or canceled refund had recorded (documents updated, no customer email).

import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { applyRefund, reverseRefund } from './payment-transitions.ts'
import { idOf } from './provider-ids.ts'

/** Returns what happened (kept on the stored event, like the other handlers' outcomes). */
export async function applyRefundUpdate(
  runtime: PaymentsRuntime,
  refund: Record<string, any>,
  tenantId: string
): Promise<string> {
  const named = refund.metadata?.tenantId
  if (named && named !== tenantId) return 'refund names another tenant: ignored'
  const chargeId = idOf(refund.charge)
  if (!chargeId) return 'refund without a charge'
  // The account comes from the tenant's record, never from the event.
  const accountId = await runtime.accountIdOf(tenantId)
  if (!accountId) return 'no connected account'
  const charge = await runtime.provider.retrieveCharge(accountId, chargeId)
  const payment = await paymentOf(runtime, refund, charge.paymentIntentId)
  if (!payment) return 'no matching payment'
  const refundedMinor = charge.amountRefundedMinor
  if (refundedMinor > payment.amountRefundedMinor) {
    return `refund: ${await applyRefund(runtime, payment, refundedMinor, charge.paymentIntentId ?? undefined)}`
  }
  if (refundedMinor < payment.amountRefundedMinor) {
    const result = await reverseRefund(runtime, payment, refundedMinor)
    if (result === 'applied')
      runtime.ctx.logger.warn(
        {
          tenantId: payment.tenantId,
          paymentId: payment._id,
          refundId: refund.id,
          refundStatus: refund.status,
          refundedMinor
        },
        'refund failed or canceled: refunded amount reduced'
      )
    return `refund reversed: ${result}`
  }
  return 'unchanged'
}

async function paymentOf(
  runtime: PaymentsRuntime,
  refund: Record<string, any>,
  chargeIntentId: string | null
): Promise<Payment | null> {
  const { payments } = runtime.models
  const paymentId = refund.metadata?.paymentId
  if (typeof paymentId === 'string') {
    const byMetadata = (await payments.findOne({ _id: paymentId }).lean()) as Payment | null
    if (byMetadata) return byMetadata
  }
  const intentId = chargeIntentId ?? idOf(refund.payment_intent)
  return intentId ? ((await payments.findOne({ paymentIntentId: intentId }).lean()) as Payment | null) : null
}
