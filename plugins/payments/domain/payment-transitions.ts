// Per-event payment transitions: in one transaction the payment and its invoice are read, a rule of
// payment-rules.ts decides, and its changes are written (the payment guarded on the state it was read in)
// with the domain events it records (outbox). Snapshot isolation turns a concurrent change of the same
// payment into a write conflict, which retries the transaction from the read, so duplicated, reordered or
// replayed events have one effect.
import type { ClientSession } from 'mongoose'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'
import type { PaymentsRuntime } from '../runtime.ts'
import * as rules from './payment-rules.ts'
import { isEmpty, type Step, updateOf } from './payment-step.ts'

export type { FulfilDetails } from './payment-rules.ts'
export { FULFILLABLE, SETTLED, UNAPPLIED } from './payment-rules.ts'

export type TransitionResult = 'applied' | 'unchanged'

export type Decide = (payment: Payment, invoice: Invoice | undefined, context: rules.RuleContext) => Step

/** The context the rules get: the decision's time and the receipt link. */
export function ruleContext(runtime: PaymentsRuntime, at = new Date()): rules.RuleContext {
  return {
    at,
    receiptUrl: (tenantId, invoiceId) => runtime.links.documentUrl(tenantId, invoiceId, 'receipt')
  }
}

/** Applies `decide` to the payment `paymentId` of the current tenant; null when there is no such payment. */
export function transition(
  runtime: PaymentsRuntime,
  paymentId: string,
  decide: Decide
): Promise<Step | null> {
  return runtime.connection.transaction(async (session) => {
    const payment = (await runtime.models.payments
      .findOne({ _id: paymentId })
      .session(session)
      .lean()) as Payment | null
    if (!payment) return null
    const invoice = ((await runtime.models.invoices
      .findOne({ _id: payment.invoiceId })
      .session(session)
      .lean()) ?? undefined) as Invoice | undefined
    const step = decide(payment, invoice, ruleContext(runtime))
    await write(runtime, payment, step, session)
    return step
  })
}

async function write(
  runtime: PaymentsRuntime,
  payment: Payment,
  step: Step,
  session: ClientSession
): Promise<void> {
  if (!isEmpty(step.payment)) {
    const updated = await runtime.models.payments.updateOne(
      { _id: payment._id, status: payment.status, amountRefundedMinor: payment.amountRefundedMinor },
      updateOf(step.payment),
      { session }
    )
    // The transaction's snapshot makes a lost race a write conflict (retried); this guards the rest.
    if (updated.matchedCount !== 1)
      throw new Error(`payment ${payment._id} changed while a transition applied`)
  }
  if (!isEmpty(step.invoice))
    await runtime.models.invoices.updateOne({ _id: payment.invoiceId }, updateOf(step.invoice), { session })
  if (step.emits.length > 0)
    await runtime.ctx.events.emitMany(step.emits, { tenantId: payment.tenantId, session })
  if (step.unapplied) warnUnapplied(runtime, payment, step.unapplied)
}

export function warnUnapplied(runtime: PaymentsRuntime, payment: Payment, outcome: string): void {
  runtime.ctx.logger.warn(
    { tenantId: payment.tenantId, paymentId: payment._id, invoiceId: payment.invoiceId, outcome },
    'payment succeeded but not applied to its invoice'
  )
}

/** The payment succeeded (reconciliation, tests): see rules.fulfil. */
export async function fulfil(
  runtime: PaymentsRuntime,
  payment: Payment,
  details: rules.FulfilDetails
): Promise<TransitionResult> {
  // A settled payment (a redelivered success) has nothing left to apply: no transaction.
  if (!rules.FULFILLABLE.includes(payment.status)) return 'unchanged'
  const step = await transition(runtime, payment._id, (current, invoice, context) =>
    rules.fulfil(current, invoice, details, context)
  )
  return step?.outcome ?? 'unchanged'
}

/** The provider's cumulative refunded amount (refund updates): see rules.refund. */
export async function applyRefund(
  runtime: PaymentsRuntime,
  payment: Payment,
  refundedMinor: number,
  paymentIntentId?: string
): Promise<TransitionResult> {
  const step = await transition(runtime, payment._id, (current, invoice, context) =>
    rules.refund(current, invoice, refundedMinor, paymentIntentId, context)
  )
  return step?.outcome ?? 'unchanged'
}

/** A failed or canceled refund lowered the refunded amount (refund updates): see rules.reverseRefund. */
export async function reverseRefund(
  runtime: PaymentsRuntime,
  payment: Payment,
  refundedMinor: number
): Promise<TransitionResult> {
  const step = await transition(runtime, payment._id, (current, invoice) =>
    rules.reverseRefund(current, invoice, refundedMinor)
  )
  return step?.outcome ?? 'unchanged'
}
