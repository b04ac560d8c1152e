// Opens (or reopens) the hosted payment for an invoice on the tenant's connected account. The local
// payment (with its idempotency key) is written before the provider call, so a crash between the
// provider's answer and our write is repaired by the retry: same key, same provider session.
// A declined card leaves the provider's session open; before a new attempt the previous session is
// expired (idempotency key per payment), so two sessions of one invoice can never both be paid.
import { randomUUID, timingSafeEqual } from 'node:crypto'
import { conflict, currentScope, isDuplicateKeyError, notFound } from '@masterstage/core'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import { applicationFee } from './money.ts'
import { PaymentsErrorCode } from './payments-errors.ts'

export interface StartCheckoutInput {
  invoiceId: string
  /** The pay link's token; staff and the invoice's own attendee call without it. */
  payToken?: string
  /** Set by the service when the caller is authenticated and owns or manages the invoice. */
  authorized?: boolean
}

export interface StartCheckoutResult {
  paymentId: string
  checkoutUrl: string
  sessionId: string
}

/** Test seam: lets a test kill the flow right after the provider answered (before our write). */
export interface CheckoutFaults {
  afterProviderCall?: (paymentId: string) => void
}

export async function startCheckout(
  runtime: PaymentsRuntime,
  input: StartCheckoutInput,
  faults: CheckoutFaults = runtime.faults
): Promise<StartCheckoutResult> {
  const tenantId = currentScope()?.tenantId
  if (!tenantId) throw new Error('startCheckout needs a tenant scope')
  // Tenant-scoped read: another tenant's invoice is simply not found.
  const invoice = (await runtime.models.invoices
    .findOne({ _id: input.invoiceId })
    .select('+payToken')
    .lean()) as Invoice | null
  if (!invoice || !(input.authorized || tokenMatches(invoice.payToken, input.payToken))) {
    throw notFound('Invoice not found')
  }
  if (invoice.status !== 'open') {
    throw conflict(`Invoice ${invoice.number} is ${invoice.status}, not payable`, {
      reason: PaymentsErrorCode.INVOICE_NOT_PAYABLE
    })
  }
  const accountId = await runtime.accountIdOf(tenantId)
  if (!accountId) {
    throw conflict('This brand has not connected a payment account yet', {
      reason: PaymentsErrorCode.ACCOUNT_NOT_CONNECTED
    })
  }

  const payment = await currentAttempt(runtime, invoice, accountId)
  if (payment.checkoutSessionId && payment.checkoutUrl) {
    return { paymentId: payment._id, checkoutUrl: payment.checkoutUrl, sessionId: payment.checkoutSessionId }
  }
  const [profile] = await Promise.all([runtime.profile(tenantId)])
  const session = await runtime.provider.createCheckoutSession(
    {
      accountId,
      currency: invoice.currency,
      lineItems: invoice.lineItems.map(({ description, quantity, unitAmountMinor }) => ({
        description,
        quantity,
        unitAmountMinor
      })),
      applicationFeeMinor: payment.applicationFeeMinor,
      customerEmail: invoice.customer.email,
      successUrl: runtime.links.storefrontUrl(profile, `/payments/pay/${invoice._id}/success`),
      cancelUrl: runtime.links.storefrontUrl(profile, `/payments/pay/${invoice._id}/cancelled`),
      metadata: { tenantId, invoiceId: invoice._id, paymentId: payment._id, invoiceNumber: invoice.number }
    },
    payment.idempotencyKey
  )
  faults.afterProviderCall?.(payment._id)
  await runtime.models.payments.updateOne(
    { _id: payment._id },
    {
      $set: {
        checkoutSessionId: session.id,
        checkoutUrl: session.url ?? undefined,
        ...(session.paymentIntentId ? { paymentIntentId: session.paymentIntentId } : {})
      }
    }
  )
  runtime.ctx.logger.info(
    { tenantId, invoiceId: invoice._id, paymentId: payment._id, sessionId: session.id },
    'checkout opened'
  )
  return { paymentId: payment._id, checkoutUrl: session.url ?? '', sessionId: session.id }
}

/** The open attempt of the invoice, or a new one after failures/expiries; concurrent callers share it. */
async function currentAttempt(
  runtime: PaymentsRuntime,
  invoice: Invoice,
  accountId: string
): Promise<Payment> {
  const { payments } = runtime.models
  const latest = (await payments
    .findOne({ invoiceId: invoice._id })
    .sort({ attempt: -1 })
    .lean()) as Payment | null
  if (latest && latest.status === 'processing') {
    throw conflict('A payment for this invoice is already being processed', {
      reason: PaymentsErrorCode.PAYMENT_IN_PROGRESS
    })
  }
  if (latest && latest.status === 'pending') return latest
  if (latest && ['succeeded', 'partially_refunded', 'refunded', 'duplicate'].includes(latest.status)) {
    throw conflict('This invoice is already paid', { reason: PaymentsErrorCode.INVOICE_NOT_PAYABLE })
  }
  if (latest && latest.status === 'needs_review') {
    throw conflict('A payment for this invoice is being reviewed by the team', {
      reason: PaymentsErrorCode.PAYMENT_IN_REVIEW
    })
  }
  if (latest) await closePreviousSession(runtime, accountId, latest)
  const attempt = (latest?.attempt ?? 0) + 1
  const settings = await runtime.settings(invoice.tenantId)
  const document = {
    _id: randomUUID(),
    invoiceId: invoice._id,
    attempt,
    idempotencyKey: `checkout:${invoice._id}:${attempt}`,
    provider: runtime.provider.name,
    status: 'pending' as const,
    amountMinor: invoice.totalMinor,
    applicationFeeMinor: applicationFee(
      invoice.totalMinor,
      settings.applicationFeeBps,
      settings.applicationFeeFixedMinor
    ),
    currency: invoice.currency,
    amountRefundedMinor: 0
  }
  try {
    const [created] = await payments.create([document])
    return created.toObject() as Payment
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error
    return (await payments.findOne({ invoiceId: invoice._id, attempt }).lean()) as Payment
  }
}

/**
 * A failed or expired attempt's session must not stay payable beside the next one. Expired: nothing to
 * do. Still open (a decline leaves it open): expire it. Completed (paid, or a delayed method pending):
 * no new attempt; its webhook settles the invoice.
 */
async function closePreviousSession(runtime: PaymentsRuntime, accountId: string, previous: Payment) {
  if (!previous.checkoutSessionId) return
  const { provider } = runtime
  const inProgress = () =>
    conflict('A payment for this invoice is already being processed', {
      reason: PaymentsErrorCode.PAYMENT_IN_PROGRESS
    })
  const session = await provider.retrieveCheckoutSession(accountId, previous.checkoutSessionId)
  if (session.status === 'expired') return
  if (session.status === 'complete') throw inProgress()
  try {
    await provider.expireCheckoutSession(accountId, previous.checkoutSessionId, `expire:${previous._id}`)
  } catch (error) {
    // Completed between our read and the expiry: the customer paid on the old session after all.
    const now = await provider.retrieveCheckoutSession(accountId, previous.checkoutSessionId)
    if (now.status === 'complete') throw inProgress()
    if (now.status !== 'expired') throw error
  }
  runtime.ctx.logger.info(
    { paymentId: previous._id, sessionId: previous.checkoutSessionId },
    'previous checkout session expired before a new attempt'
  )
}

function tokenMatches(expected: string, given: string | undefined): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}
