// Public surface of the payments plugin: the events it emits (merged into core's DomainEvents), the
// event it consumes, and its service paths. Other plugins may `import type` from here, nothing else.
import type {} from '@masterstage/core'

/** Service paths (mounted under the plugin name). */
export const PaymentsServicePath = {
  invoices: 'payments/invoices',
  payments: 'payments/payments',
  checkout: 'payments/checkout',
  connect: 'payments/connect',
  refunds: 'payments/refunds',
  revenue: 'payments/revenue',
  myDocuments: 'payments/my-documents',
  invoiceReminders: 'payments/invoice-reminders',
  webhookEvents: 'payments/webhook-events',
  webhookEventReplays: 'payments/webhook-event-replays'
} as const

export type InvoiceStatus = 'open' | 'paid' | 'partially_refunded' | 'refunded' | 'void'
export type PaymentStatus =
  | 'pending'
  | 'processing'
  | 'failed'
  | 'expired'
  | 'succeeded'
  | 'partially_refunded'
  | 'refunded'
  /** Money moved for an invoice another payment had already paid: refunded automatically, never revenue. */
  | 'duplicate'
  /** Money moved but its amount or currency differs from the invoice: not applied, staff decide. */
  | 'needs_review'

/** An invoice was issued (number assigned, PDF rendered lazily): the lead gets an email with a pay link. */
export interface InvoiceIssued {
  invoiceId: string
  invoiceNumber: string
  leadId?: string
  customerEmail: string
  customerName: string
  totalMinor: number
  currency: string
  payUrl: string
  invoiceUrl: string
}

/** The payment for an invoice succeeded: the pipeline marks the lead PAID, the receipt is emailed. */
export interface PaymentSucceeded {
  paymentId: string
  invoiceId: string
  invoiceNumber: string
  leadId?: string
  customerEmail: string
  amountMinor: number
  applicationFeeMinor: number
  currency: string
  receiptUrl: string
}

/** A payment attempt failed or its checkout expired (the invoice stays open and payable). */
export interface PaymentFailed {
  paymentId: string
  invoiceId: string
  leadId?: string
  reason: 'failed' | 'expired'
}

/** A refund (full or partial) was recorded; `refundedMinor` is the cumulative refunded amount. */
export interface PaymentRefunded {
  paymentId: string
  invoiceId: string
  leadId?: string
  refundedMinor: number
  amountMinor: number
  currency: string
  fullyRefunded: boolean
}

/** The customer's bank opened (or updated) a dispute; the tenant's staff are notified. */
export interface PaymentDisputed {
  paymentId: string
  invoiceId: string
  leadId?: string
  disputeId: string
  disputeStatus: string
  amountMinor: number
  currency: string
  reason: string
}

/** A second payment succeeded for an invoice already paid: it is refunded automatically, staff are told. */
export interface PaymentDuplicate {
  paymentId: string
  invoiceId: string
  invoiceNumber: string
  /** The payment that paid the invoice (absent when the invoice was settled otherwise, e.g. void). */
  keptPaymentId?: string
  amountMinor: number
  currency: string
}

/** A payment's amount or currency differs from its invoice: the invoice stays unpaid, staff review it. */
export interface PaymentNeedsReview {
  paymentId: string
  invoiceId: string
  invoiceNumber: string
  expectedMinor: number
  expectedCurrency: string
  receivedMinor: number
  receivedCurrency: string
}

/**
 * The shape this plugin expects of the pipeline's `lead.created` (declared by the pipeline plugin's
 * contract; only the fields read here). A lead for a paid masterclass carries its price.
 */
export interface LeadCreatedExpected {
  leadId: string
  email: string
  name?: string
  masterclassId?: string
  masterclassTitle?: string
  /** Price in minor units; absent or 0 for free masterclasses (no invoice). */
  priceMinor?: number
  currency?: string
}

// Augments the defining module: core's index re-exports DomainEvents with `export type *`, through
// which TypeScript does not merge augmentations.
declare module '@masterstage/core/events/domain-events.ts' {
  interface DomainEvents {
    'invoice.issued': InvoiceIssued
    'payment.succeeded': PaymentSucceeded
    'payment.failed': PaymentFailed
    'payment.refunded': PaymentRefunded
    'payment.disputed': PaymentDisputed
    'payment.duplicate': PaymentDuplicate
    'payment.mismatched': PaymentNeedsReview
  }
}
