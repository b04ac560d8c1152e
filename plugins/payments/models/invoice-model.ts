// Invoices: the number, what is billed to whom by whom (legal details and brand frozen at issue time),
// the pay token of the emailed link, and the status the payments drive.
import { Schema } from 'mongoose'
import type { InvoiceStatus } from '../contract.ts'

export interface InvoiceLineItem {
  description: string
  quantity: number
  unitAmountMinor: number
  amountMinor: number
}

export interface InvoiceIssuer {
  legalName: string
  address: string
  taxId?: string
  email?: string
}

export interface InvoiceBrand {
  name: string
  primaryColor: string
}

export interface Invoice {
  _id: string
  tenantId: string
  number: string
  series: string
  sequence: number
  status: InvoiceStatus
  /** Makes issuing idempotent: `lead:<leadId>` for invoices issued from a lead, `manual:<key>` otherwise. */
  dedupeKey: string
  leadId?: string
  customer: { name: string; email: string; userId?: string }
  lineItems: InvoiceLineItem[]
  currency: string
  subtotalMinor: number
  totalMinor: number
  amountPaidMinor: number
  amountRefundedMinor: number
  issuer: InvoiceIssuer
  brand: InvoiceBrand
  /** Secret of the pay link (the lead has no account yet); never returned by services. */
  payToken: string
  paymentId?: string
  disputed: boolean
  issuedAt: Date
  dueAt: Date
  paidAt?: Date
  /** Bumped when the documents change (refund, dispute) so cached PDFs are re-rendered. */
  documentVersion: number
}

export const INVOICE_MODEL = 'invoice'

const lineItemSchema = new Schema<InvoiceLineItem>(
  {
    description: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    unitAmountMinor: { type: Number, required: true, min: 0 },
    amountMinor: { type: Number, required: true, min: 0 }
  },
  { _id: false }
)

export const invoiceSchema = new Schema<Invoice>(
  {
    _id: { type: String, required: true },
    number: { type: String, required: true },
    series: { type: String, required: true },
    sequence: { type: Number, required: true },
    status: { type: String, required: true, default: 'open' },
    dedupeKey: { type: String, required: true },
    leadId: { type: String },
    customer: {
      name: { type: String, required: true },
      email: { type: String, required: true },
      userId: { type: String }
    },
    lineItems: { type: [lineItemSchema], required: true },
    currency: { type: String, required: true },
    subtotalMinor: { type: Number, required: true },
    totalMinor: { type: Number, required: true },
    amountPaidMinor: { type: Number, required: true, default: 0 },
    amountRefundedMinor: { type: Number, required: true, default: 0 },
    issuer: {
      legalName: { type: String, required: true },
      address: { type: String, required: true },
      taxId: { type: String },
      email: { type: String }
    },
    brand: {
      name: { type: String, required: true },
      primaryColor: { type: String, required: true }
    },
    payToken: { type: String, required: true, secret: true } as any,
    paymentId: { type: String },
    disputed: { type: Boolean, required: true, default: false },
    issuedAt: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    paidAt: { type: Date },
    documentVersion: { type: Number, required: true, default: 1 }
  },
  { versionKey: false, timestamps: true }
)
invoiceSchema.index({ tenantId: 1, number: 1 }, { unique: true })
invoiceSchema.index({ tenantId: 1, dedupeKey: 1 }, { unique: true })
// The staff list's order (newest first, _id breaking ties) with and without a status filter.
invoiceSchema.index({ tenantId: 1, status: 1, issuedAt: -1, _id: -1 })
invoiceSchema.index({ tenantId: 1, issuedAt: -1, _id: -1 })
invoiceSchema.index({ tenantId: 1, 'customer.email': 1 })
invoiceSchema.index({ tenantId: 1, leadId: 1 })
