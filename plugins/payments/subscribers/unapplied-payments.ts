// Successes that did not pay their invoice (domain/fulfilment-check.ts): a duplicate is refunded in full
// at the provider (idempotency key per payment, so redeliveries refund once) and staff are told; an
// amount or currency mismatch is flagged to staff, who decide. Neither sends a receipt or counts as revenue.
import type { DomainEvent, PluginSubscriber } from '@masterstage/core'
import { formatMoney } from '../domain/money.ts'
import { staffRecipients } from '../domain/staff-recipients.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'

type Runtime = () => PaymentsRuntime

export function unappliedPaymentSubscribers(runtime: Runtime): PluginSubscriber<any>[] {
  return [
    {
      event: 'payment.duplicate',
      name: 'payments.refund-duplicate',
      handle: (event: DomainEvent<'payment.duplicate'>) => refundDuplicate(runtime(), event)
    },
    {
      event: 'payment.mismatched',
      name: 'payments.email-review',
      handle: (event: DomainEvent<'payment.mismatched'>) => alertReview(runtime(), event)
    }
  ]
}

export function duplicateRefundKey(paymentId: string): string {
  return `duplicate-refund:${paymentId}`
}

async function refundDuplicate(runtime: PaymentsRuntime, event: DomainEvent<'payment.duplicate'>) {
  const { payload } = event
  const tenantId = event.tenantId!
  const payment = (await runtime.models.payments.findOne({ _id: payload.paymentId }).lean()) as Payment | null
  if (payment?.status !== 'duplicate') return
  const accountId = await runtime.accountIdOf(tenantId)
  if (!accountId) throw new Error(`duplicate payment ${payment._id}: the tenant has no connected account`)
  let intentId = payment.paymentIntentId
  if (!intentId && payment.checkoutSessionId) {
    intentId =
      (await runtime.provider.retrieveCheckoutSession(accountId, payment.checkoutSessionId))
        .paymentIntentId ?? undefined
  }
  if (!intentId) throw new Error(`duplicate payment ${payment._id}: no payment intent to refund yet`)
  const key = duplicateRefundKey(payment._id)
  const refund = await runtime.provider.refund(
    { accountId, paymentIntentId: intentId, metadata: { tenantId, paymentId: payment._id, refundId: key } },
    key
  )
  runtime.ctx.logger.warn(
    { tenantId, paymentId: payment._id, invoiceId: payload.invoiceId, refundId: refund.id },
    'duplicate payment refunded'
  )
  await emailStaff(
    runtime,
    tenantId,
    `Duplicate payment refunded (invoice ${payload.invoiceNumber})`,
    [
      `A second payment of ${formatMoney(payload.amountMinor, payload.currency)} succeeded for invoice ${payload.invoiceNumber}, which was already paid.`,
      'It was refunded automatically in full; nothing else changed (the invoice keeps its first payment).',
      `Invoice: ${runtime.links.documentUrl(tenantId, payload.invoiceId, 'invoice')}`
    ],
    `payments.duplicate-email:${payment._id}`
  )
}

async function alertReview(runtime: PaymentsRuntime, event: DomainEvent<'payment.mismatched'>) {
  const { payload } = event
  const tenantId = event.tenantId!
  await emailStaff(
    runtime,
    tenantId,
    `Action needed: payment does not match invoice ${payload.invoiceNumber}`,
    [
      `Invoice ${payload.invoiceNumber} asks ${formatMoney(payload.expectedMinor, payload.expectedCurrency)}, ` +
        `but the payment provider reported ${formatMoney(payload.receivedMinor, payload.receivedCurrency)}.`,
      'The invoice was not marked paid and no receipt was sent. Check the payment in your provider dashboard and refund or settle it.',
      `Invoice: ${runtime.links.documentUrl(tenantId, payload.invoiceId, 'invoice')}`
    ],
    `payments.review-email:${payload.paymentId}`
  )
}

async function emailStaff(
  runtime: PaymentsRuntime,
  tenantId: string,
  subject: string,
  lines: string[],
  keyBase: string
): Promise<void> {
  const recipients = await staffRecipients(runtime, tenantId)
  if (recipients.length === 0) {
    runtime.ctx.logger.error({ tenantId, subject }, 'staff alert not emailed: no recipient for the tenant')
    return
  }
  for (const to of recipients) {
    await runtime.ctx.email.send({
      tenantId,
      to,
      subject,
      text: lines.join('\n'),
      idempotencyKey: `${keyBase}:${to}`
    })
  }
}
