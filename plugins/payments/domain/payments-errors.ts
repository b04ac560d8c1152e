// Plugin-specific reasons carried beside core's error code (data.reason), so clients can tell cases apart.
export const PaymentsErrorCode = {
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  INVOICE_NOT_PAYABLE: 'INVOICE_NOT_PAYABLE',
  ACCOUNT_NOT_CONNECTED: 'ACCOUNT_NOT_CONNECTED',
  PAYMENT_IN_PROGRESS: 'PAYMENT_IN_PROGRESS',
  /** A payment's amount or currency did not match the invoice; staff review it before anything else. */
  PAYMENT_IN_REVIEW: 'PAYMENT_IN_REVIEW',
  REFUND_NOT_ALLOWED: 'REFUND_NOT_ALLOWED',
  /** A signed PDF link past its expiry (410): the signature was right, the link is too old. */
  DOCUMENT_LINK_EXPIRED: 'DOCUMENT_LINK_EXPIRED',
  /** Only a webhook event left `failed` can be replayed (a processed or queued one is not run twice). */
  WEBHOOK_EVENT_NOT_FAILED: 'WEBHOOK_EVENT_NOT_FAILED',
  PROVIDER_FAILED: 'PROVIDER_FAILED',
  /** The call needs one tenant; `X-Tenant-Scope: agency` reads several. */
  AGENCY_VIEW_NOT_SUPPORTED: 'AGENCY_VIEW_NOT_SUPPORTED'
} as const
export type PaymentsErrorCode = (typeof PaymentsErrorCode)[keyof typeof PaymentsErrorCode]
