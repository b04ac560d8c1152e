// The shapes the payments services answer with, as the plugin's Svelte components receive them (JSON:
// dates are ISO strings). Type-only; services stay the source of truth for what is exposed.
import type { InvoiceStatus, PaymentStatus } from './contract.ts'
import type { WebhookEventView as ServiceWebhookEventView } from './services/webhook-events-service.ts'

export interface InvoiceLineView {
  description: string
  quantity: number
  unitAmountMinor: number
  amountMinor: number
}

export interface InvoiceView {
  _id: string
  number: string
  status: InvoiceStatus
  leadId?: string
  customer: { name: string; email: string }
  lineItems: InvoiceLineView[]
  currency: string
  totalMinor: number
  amountPaidMinor: number
  amountRefundedMinor: number
  disputed: boolean
  issuedAt: string
  dueAt: string
  paidAt?: string
  invoiceUrl: string
  receiptUrl?: string | null
}

export interface InvoiceTotals {
  totalMinor: number
  paidMinor: number
  refundedMinor: number
}

export interface Page<T> {
  total: number
  limit: number
  skip: number
  data: T[]
}

export interface InvoicePage extends Page<InvoiceView> {
  /** Per currency, over every invoice matching the filter (not only this page). */
  totals: Record<string, InvoiceTotals>
}

export interface PaymentView {
  _id: string
  invoiceId: string
  status: PaymentStatus
  currency: string
  amountMinor: number
  applicationFeeMinor: number
  amountRefundedMinor: number
  dispute?: { id: string; status: string; reason: string }
  failureReason?: string
  createdAt: string
  succeededAt?: string
}

/** A stored provider event as staff see it (never its payload), as the service declares it. */
export type WebhookEventView = ServiceWebhookEventView<string>

/** The Connect account status as the service answers it. */
export type { ConnectStatus as ConnectStatusView } from './services/connect-service.ts'

export interface RevenueRow {
  currency: string
  payments: number
  paidMinor: number
  refundedMinor: number
  netMinor: number
  feesMinor: number
  /** Paid minus refunded per day (UTC, `YYYY-MM-DD`), oldest first, every day of the period present. */
  daily: { day: string; netMinor: number }[]
}

export interface RevenueView {
  days: number
  since: string
  currencies: RevenueRow[]
}

/** An invoice as its attendee sees it in the storefront account. */
export interface MyInvoiceView {
  _id: string
  number: string
  status: InvoiceStatus
  totalMinor: number
  amountRefundedMinor: number
  currency: string
  issuedAt: string
  paidAt?: string
  invoiceUrl: string
  receiptUrl: string | null
  payUrl: string | null
}
