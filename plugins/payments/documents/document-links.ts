// Signed links to invoice and receipt PDFs (/payments-files/<tenant>/<invoice>/<kind>.pdf?exp=…&sig=…): the
// signature (HMAC under a key derived from the platform key) is the capability, so the emailed link works
// without a login. The expiry is part of the signed data: a link stops working 90 days after it was made,
// and changing `exp` breaks the signature.
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto'

export const DOCUMENT_LINK_TTL_MS = 90 * 86_400_000

/**
 * Links sent before links expired carry no `exp`: they keep working for one link lifetime after the change
 * shipped (2026-11-25), so documents already emailed do not break at once, and then expire like the others.
 */
export const LEGACY_LINKS_VALID_UNTIL = Date.UTC(2026, 10, 25) + DOCUMENT_LINK_TTL_MS

export type DocumentLinkCheck = 'valid' | 'expired' | 'invalid'

export interface DocumentLinkParts {
  tenantId: string
  invoiceId: string
  kind: string
  /** The `exp` query value (unix seconds) as given, absent for a legacy link. */
  expires?: string
  signature: string
}

export function createDocumentLinks(key: KeyObject, apiBase: string) {
  const sign = (data: string) => createHmac('sha256', key).update(data).digest('base64url')
  const sameSignature = (expected: string, given: string) => {
    const a = Buffer.from(expected)
    const b = Buffer.from(given)
    return a.length === b.length && timingSafeEqual(a, b)
  }
  return {
    /** `now` is the moment the link is made (tests make links that are already expired). */
    documentUrl(tenantId: string, invoiceId: string, kind: 'invoice' | 'receipt', now = Date.now()): string {
      const expires = Math.floor((now + DOCUMENT_LINK_TTL_MS) / 1000)
      const signature = sign(`${tenantId}:${invoiceId}:${kind}:${expires}`)
      return `${apiBase}/payments-files/${tenantId}/${invoiceId}/${kind}.pdf?exp=${expires}&sig=${signature}`
    },
    /** Signature first: a tampered link is `invalid` (404) whatever its expiry; a genuine old one `expired` (410). */
    checkDocumentLink(link: DocumentLinkParts, now = Date.now()): DocumentLinkCheck {
      const { tenantId, invoiceId, kind, expires, signature } = link
      if (expires === undefined) {
        if (!sameSignature(sign(`${tenantId}:${invoiceId}:${kind}`), signature)) return 'invalid'
        return now < LEGACY_LINKS_VALID_UNTIL ? 'valid' : 'expired'
      }
      if (!/^\d{1,12}$/.test(expires)) return 'invalid'
      if (!sameSignature(sign(`${tenantId}:${invoiceId}:${kind}:${expires}`), signature)) return 'invalid'
      return now < Number(expires) * 1000 ? 'valid' : 'expired'
    }
  }
}
