// Serves invoice and receipt PDFs at /payments-files/<tenant>/<invoice>/<kind>.pdf?exp=…&sig=…: the emailed
// links work without a login because the signature (documents/document-links.ts) is the capability, until
// the link's expiry (410 then; a tampered link is a 404). A link serves the invoice's current document.
import { gone, notFound, runAsSystem } from '@masterstage/core'
import type { Context, Next } from 'koa'
import { documentPdf } from '../documents/document-store.ts'
import { PaymentsErrorCode } from '../domain/payments-errors.ts'
import type { PaymentsRuntime } from '../runtime.ts'

const PATH = /^\/payments-files\/([\w-]{1,64})\/([\w-]{1,64})\/(invoice|receipt)\.pdf$/

export function documentRoute(runtime: () => PaymentsRuntime) {
  return async (ctx: Context, next: Next) => {
    const match = ctx.method === 'GET' ? PATH.exec(ctx.path) : null
    if (!match) return next()
    const [, tenantId, invoiceId, kind] = match
    const signature = typeof ctx.query.sig === 'string' ? ctx.query.sig : ''
    const expires = typeof ctx.query.exp === 'string' ? ctx.query.exp : undefined
    const current = runtime()
    const check = current.links.checkDocumentLink({ tenantId, invoiceId, kind, expires, signature })
    // Thrown, not answered here: the platform's error handler writes every coded error the same way.
    if (check === 'invalid') throw notFound('Document not found: the link is incomplete or was changed')
    if (check === 'expired')
      throw gone(
        'This document link has expired: ask the sender for a new one, or sign in to see your invoices',
        { reason: PaymentsErrorCode.DOCUMENT_LINK_EXPIRED }
      )
    const pdf = await runAsSystem('payments.documents', tenantId, () =>
      documentPdf(current, invoiceId, kind as 'invoice' | 'receipt')
    )
    if (!pdf) throw notFound('Document not available yet')
    ctx.status = 200
    ctx.set('Content-Type', 'application/pdf')
    ctx.set('Content-Disposition', `inline; filename="${kind}-${invoiceId}.pdf"`)
    ctx.set('Cache-Control', 'private, no-store')
    ctx.body = pdf
  }
}
