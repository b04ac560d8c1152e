// Serves invoice and receipt PDFs at /payments-files/<tenant>/<invoice>/<kind>.pdf?sig=…: the emailed
// links work without a login because the signature (HMAC under the platform key) is the capability.
import { runAsSystem } from '@masterstage/core'
import type { Context, Next } from 'koa'
import { documentPdf } from '../documents/document-store.ts'
import type { PaymentsRuntime } from '../runtime.ts'

const PATH = /^\/payments-files\/([\w-]{1,64})\/([\w-]{1,64})\/(invoice|receipt)\.pdf$/

export function documentRoute(runtime: () => PaymentsRuntime) {
  return async (ctx: Context, next: Next) => {
    const match = ctx.method === 'GET' ? PATH.exec(ctx.path) : null
    if (!match) return next()
    const [, tenantId, invoiceId, kind] = match
    const signature = typeof ctx.query.sig === 'string' ? ctx.query.sig : ''
    const current = runtime()
    if (!current.links.verifyDocumentSignature(tenantId, invoiceId, kind, signature)) {
      ctx.status = 404
      ctx.body = { name: 'NotFound', message: 'Document not found', code: 404, data: { code: 'NOT_FOUND' } }
      return
    }
    const pdf = await runAsSystem('payments.documents', tenantId, () =>
      documentPdf(current, invoiceId, kind as 'invoice' | 'receipt')
    )
    if (!pdf) {
      ctx.status = 404
      ctx.body = {
        name: 'NotFound',
        message: 'Document not available yet',
        code: 404,
        data: { code: 'NOT_FOUND' }
      }
      return
    }
    ctx.status = 200
    ctx.set('Content-Type', 'application/pdf')
    ctx.set('Content-Disposition', `inline; filename="${kind}-${invoiceId}.pdf"`)
    ctx.set('Cache-Control', 'private, no-store')
    ctx.body = pdf
  }
}
