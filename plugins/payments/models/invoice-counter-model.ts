// Per-tenant invoice number counter: one document per (tenant, series), incremented atomically inside
// the same transaction as the invoice insert, so numbers are unique and gapless.
import { Schema } from 'mongoose'

export interface InvoiceCounter {
  tenantId: string
  series: string
  /** The last number issued in this series. */
  last: number
}

export const INVOICE_COUNTER_MODEL = 'invoice-counter'

export const invoiceCounterSchema = new Schema<InvoiceCounter>(
  {
    series: { type: String, required: true },
    last: { type: Number, required: true, default: 0 }
  },
  { versionKey: false }
)
invoiceCounterSchema.index({ tenantId: 1, series: 1 }, { unique: true })
