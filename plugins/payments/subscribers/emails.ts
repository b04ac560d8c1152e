// Customer and staff emails driven by the plugin's own events (invoice with pay link, receipt, refund
// confirmation, dispute alert). Each send carries an idempotency key derived from the event, so a
// redelivered event never sends a second email.
import type { DomainEvent, PluginSubscriber } from '@masterstage/core'
import { firstDocumentPdf } from '../documents/document-store.ts'
import { formatMoney } from '../domain/money.ts'
import { staffRecipients } from '../domain/staff-recipients.ts'
import type { PaymentsRuntime } from '../runtime.ts'

type Runtime = () => PaymentsRuntime

export function emailSubscribers(runtime: Runtime): PluginSubscriber<any>[] {
  return [
    {
      event: 'invoice.issued',
      name: 'payments.email-invoice',
      handle: (event: DomainEvent<'invoice.issued'>) => sendInvoiceEmail(runtime(), event)
    },
    {
      event: 'payment.succeeded',
      name: 'payments.email-receipt',
      handle: (event: DomainEvent<'payment.succeeded'>) => sendReceiptEmail(runtime(), event)
    },
    {
      event: 'payment.refunded',
      name: 'payments.email-refund',
      handle: (event: DomainEvent<'payment.refunded'>) => sendRefundEmail(runtime(), event)
    },
    {
      event: 'payment.disputed',
      name: 'payments.email-dispute',
      handle: (event: DomainEvent<'payment.disputed'>) => sendDisputeAlert(runtime(), event)
    }
  ]
}

async function sendInvoiceEmail(runtime: PaymentsRuntime, event: DomainEvent<'invoice.issued'>) {
  const { payload } = event
  const profile = await runtime.profile(event.tenantId!)
  // The document store keeps one rendering per invoice version, so a retried delivery attaches the same
  // bytes without a step record of its own.
  const pdf = await firstDocumentPdf(runtime, payload.invoiceId, 'invoice')
  if (!pdf) throw new Error(`invoice ${payload.invoiceId} not found for its issued event`)
  const total = formatMoney(payload.totalMinor, payload.currency)
  await runtime.ctx.email.send({
    tenantId: event.tenantId!,
    to: payload.customerEmail,
    subject: `${profile.name}: invoice ${payload.invoiceNumber} (${total})`,
    text: [
      `Hi ${payload.customerName},`,
      '',
      `thank you for registering. Your invoice ${payload.invoiceNumber} over ${total} is attached.`,
      `Pay securely online: ${payload.payUrl}`,
      '',
      `Invoice PDF: ${payload.invoiceUrl}`,
      '',
      profile.name
    ].join('\n'),
    attachments: [
      {
        filename: `${payload.invoiceNumber}.pdf`,
        contentType: 'application/pdf',
        content: pdf
      }
    ],
    idempotencyKey: `payments.invoice-email:${payload.invoiceId}`
  })
}

async function sendReceiptEmail(runtime: PaymentsRuntime, event: DomainEvent<'payment.succeeded'>) {
  const { payload } = event
  const profile = await runtime.profile(event.tenantId!)
  // As for the invoice: the document store's rendering of this version, one per invoice version.
  const pdf = await firstDocumentPdf(runtime, payload.invoiceId, 'receipt', payload.paymentId)
  if (!pdf) throw new Error(`receipt for invoice ${payload.invoiceId} could not be rendered`)
  const amount = formatMoney(payload.amountMinor, payload.currency)
  await runtime.ctx.email.send({
    tenantId: event.tenantId!,
    to: payload.customerEmail,
    subject: `${profile.name}: payment received for invoice ${payload.invoiceNumber}`,
    text: [
      'Thank you, your payment was received.',
      '',
      `Invoice ${payload.invoiceNumber}: ${amount} paid.`,
      `Receipt: ${payload.receiptUrl}`,
      '',
      profile.name
    ].join('\n'),
    attachments: [
      {
        filename: `receipt-${payload.invoiceNumber}.pdf`,
        contentType: 'application/pdf',
        content: pdf
      }
    ],
    idempotencyKey: `payments.receipt-email:${payload.paymentId}`
  })
}

async function sendRefundEmail(runtime: PaymentsRuntime, event: DomainEvent<'payment.refunded'>) {
  const { payload } = event
  const invoice = await runtime.models.invoices.findOne({ _id: payload.invoiceId }).lean()
  if (!invoice) return
  const profile = await runtime.profile(event.tenantId!)
  await runtime.ctx.email.send({
    tenantId: event.tenantId!,
    to: invoice.customer.email,
    subject: `${profile.name}: refund for invoice ${invoice.number}`,
    text: [
      `${payload.fullyRefunded ? 'Your payment was refunded in full' : 'Part of your payment was refunded'}: ` +
        `${formatMoney(payload.refundedMinor, payload.currency)} of ${formatMoney(payload.amountMinor, payload.currency)}.`,
      `Updated receipt: ${runtime.links.documentUrl(event.tenantId!, invoice._id, 'receipt')}`,
      '',
      profile.name
    ].join('\n'),
    idempotencyKey: `payments.refund-email:${payload.paymentId}:${payload.refundedMinor}`
  })
}

async function sendDisputeAlert(runtime: PaymentsRuntime, event: DomainEvent<'payment.disputed'>) {
  const { payload } = event
  const recipients = await staffRecipients(runtime, event.tenantId!)
  if (recipients.length === 0) {
    runtime.ctx.logger.error(
      { tenantId: event.tenantId, disputeId: payload.disputeId },
      'dispute not emailed: no staff email, host or legal email for the tenant'
    )
    return
  }
  for (const to of recipients) {
    await runtime.ctx.email.send({
      tenantId: event.tenantId!,
      to,
      subject: `Action needed: payment disputed (${payload.disputeStatus})`,
      text: [
        `A customer's bank disputed ${formatMoney(payload.amountMinor, payload.currency)} (reason: ${payload.reason}).`,
        `Dispute ${payload.disputeId} is now ${payload.disputeStatus}. Respond from your payment provider dashboard before the deadline.`,
        `Invoice: ${runtime.links.documentUrl(event.tenantId!, payload.invoiceId, 'invoice')}`
      ].join('\n'),
      idempotencyKey: `payments.dispute-email:${payload.disputeId}:${payload.disputeStatus}:${to}`
    })
  }
}
