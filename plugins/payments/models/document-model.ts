// Rendered PDFs (invoice and receipt) per invoice and document version, so links stay stable and a
// re-render after a refund replaces the old bytes.
import { Schema } from 'mongoose'

export type DocumentKind = 'invoice' | 'receipt'

export interface StoredDocument {
  tenantId: string
  invoiceId: string
  kind: DocumentKind
  version: number
  pdf: Buffer
  renderedAt: Date
}

export const DOCUMENT_MODEL = 'document'

export const documentSchema = new Schema<StoredDocument>(
  {
    invoiceId: { type: String, required: true },
    kind: { type: String, required: true },
    version: { type: Number, required: true },
    pdf: { type: Buffer, required: true },
    renderedAt: { type: Date, required: true }
  },
  { versionKey: false }
)
documentSchema.index({ tenantId: 1, invoiceId: 1, kind: 1, version: 1 }, { unique: true })
