// The payment rules as pure decisions: forward only, one payment per invoice, a refund that overtakes
// the success fulfils first, and steps that fold onto the documents as the writers apply them.
import { describe, expect, it } from 'vitest'
import * as rules from '../../domain/payment-rules.ts'
import { isEmpty, updateOf, withChanges } from '../../domain/payment-step.ts'
import type { Invoice } from '../../models/invoice-model.ts'
import type { Payment } from '../../models/payment-model.ts'

const at = new Date('2026-01-02T03:04:05Z')
const context: rules.RuleContext = { at, receiptUrl: (tenant, invoice) => `https://r/${tenant}/${invoice}` }

const payment = (fields: Partial<Payment> = {}): Payment => ({
  _id: 'pay1',
  tenantId: 't1',
  invoiceId: 'inv1',
  attempt: 1,
  idempotencyKey: 'k',
  provider: 'stripe',
  status: 'pending',
  amountMinor: 10_000,
  applicationFeeMinor: 500,
  currency: 'usd',
  amountRefundedMinor: 0,
  failureReason: 'card declined',
  ...fields
})

const invoice = (fields: Partial<Invoice> = {}): Invoice =>
  ({
    _id: 'inv1',
    tenantId: 't1',
    number: 'A-1',
    status: 'open',
    leadId: 'lead1',
    customer: { name: 'J', email: 'j@example.com' },
    currency: 'USD',
    totalMinor: 10_000,
    amountPaidMinor: 0,
    amountRefundedMinor: 0,
    disputed: false,
    documentVersion: 1,
    ...fields
  }) as Invoice

describe('fulfil', () => {
  it('pays an open invoice with its amount and records payment.succeeded', () => {
    const step = rules.fulfil(payment(), invoice(), { paymentIntentId: 'pi_1', currency: 'usd' }, context)
    expect(step.outcome).toBe('applied')
    expect(withChanges(payment(), step.payment)).toMatchObject({
      status: 'succeeded',
      succeededAt: at,
      paymentIntentId: 'pi_1'
    })
    expect(withChanges(payment(), step.payment).failureReason).toBeUndefined()
    expect(step.invoice.set).toEqual({
      status: 'paid',
      paidAt: at,
      paymentId: 'pay1',
      amountPaidMinor: 10_000
    })
    expect(step.emits.map((emit) => [emit.name, emit.id])).toEqual([
      ['payment.succeeded', 'payment.succeeded:pay1']
    ])
    expect(step.emits[0].payload).toMatchObject({ leadId: 'lead1', receiptUrl: 'https://r/t1/inv1' })
  })

  it('decides nothing for a settled payment, and throws without the invoice', () => {
    expect(rules.fulfil(payment({ status: 'succeeded' }), invoice(), {}, context)).toMatchObject({
      outcome: 'unchanged',
      emits: []
    })
    expect(() => rules.fulfil(payment(), undefined, {}, context)).toThrow('invoice inv1')
  })

  it('makes a success for a paid invoice a duplicate and a wrong amount a review, invoice untouched', () => {
    const duplicate = rules.fulfil(payment(), invoice({ status: 'paid', paymentId: 'pay0' }), {}, context)
    expect(duplicate).toMatchObject({ outcome: 'applied', unapplied: 'duplicate' })
    expect(duplicate.payment.set).toMatchObject({ status: 'duplicate', duplicateOf: 'pay0' })
    expect(isEmpty(duplicate.invoice)).toBe(true)
    expect(duplicate.emits.map((emit) => emit.name)).toEqual(['payment.duplicate'])
    const review = rules.fulfil(payment(), invoice(), { amountMinor: 9_000 }, context)
    expect(review.payment.set).toMatchObject({ status: 'needs_review', amountMinor: 9_000 })
    expect(review.emits.map((emit) => emit.name)).toEqual(['payment.mismatched'])
  })
})

describe('fail', () => {
  it('moves only forward: an expiry only from pending, a decline not after processing settled', () => {
    expect(rules.fail(payment({ status: 'processing' }), invoice(), 'expired', 'x').outcome).toBe('unchanged')
    expect(rules.fail(payment({ status: 'succeeded' }), invoice(), 'failed', 'x').outcome).toBe('unchanged')
    const failed = rules.fail(payment({ status: 'processing' }), invoice(), 'failed', 'declined')
    expect(failed.payment.set).toEqual({ status: 'failed', failureReason: 'declined' })
    expect(failed.emits[0]).toMatchObject({ id: 'payment.failed:pay1:failed', payload: { leadId: 'lead1' } })
  })
})

describe('refund', () => {
  it('fulfils first when it overtakes the success, then records the refund on payment and invoice', () => {
    const step = rules.refund(payment(), invoice(), 4_000, 'pi_1', context)
    expect(step.outcome).toBe('applied')
    expect(step.emits.map((emit) => emit.name)).toEqual(['payment.succeeded', 'payment.refunded'])
    expect(withChanges(payment(), step.payment)).toMatchObject({
      status: 'partially_refunded',
      amountRefundedMinor: 4_000,
      paymentIntentId: 'pi_1'
    })
    expect(withChanges(invoice(), step.invoice)).toMatchObject({
      status: 'partially_refunded',
      paymentId: 'pay1',
      amountRefundedMinor: 4_000,
      documentVersion: 2
    })
    expect(updateOf(step.invoice)).toMatchObject({ $inc: { documentVersion: 1 } })
  })

  it('ignores an amount not above the recorded one, and only records it on an unapplied payment', () => {
    expect(
      rules.refund(
        payment({ status: 'succeeded', amountRefundedMinor: 4_000 }),
        invoice(),
        4_000,
        undefined,
        context
      ).outcome
    ).toBe('unchanged')
    const unapplied = rules.refund(payment({ status: 'duplicate' }), invoice(), 10_000, undefined, context)
    expect(unapplied.payment.set).toEqual({ amountRefundedMinor: 10_000 })
    expect(isEmpty(unapplied.invoice)).toBe(true)
    expect(unapplied.emits).toEqual([])
  })

  it('is reversed on the payment, and on the invoice it paid, when the refunded amount goes down', () => {
    const refundedPayment = payment({ status: 'refunded', amountRefundedMinor: 10_000 })
    const paid = invoice({ status: 'refunded', paymentId: 'pay1', amountRefundedMinor: 10_000 })
    const step = rules.reverseRefund(refundedPayment, paid, 0)
    expect(step.payment.set).toEqual({ amountRefundedMinor: 0, status: 'succeeded' })
    expect(step.invoice.set).toEqual({ status: 'paid', amountRefundedMinor: 0 })
    expect(rules.reverseRefund(refundedPayment, invoice({ paymentId: 'pay0' }), 0).invoice.set).toEqual({})
    expect(rules.reverseRefund(refundedPayment, paid, 10_000).outcome).toBe('unchanged')
  })
})

describe('dispute and awaiting payment', () => {
  it('announces each dispute status once', () => {
    const details = { id: 'dp_1', status: 'needs_response', reason: 'fraudulent', amountMinor: 10_000 }
    const first = rules.dispute(payment({ status: 'succeeded' }), invoice(), details)
    expect(first.emits[0].id).toBe('payment.disputed:dp_1:needs_response')
    expect(rules.dispute(withChanges(payment(), first.payment), invoice(), details).outcome).toBe('unchanged')
  })

  it('records the intent of an unpaid completion even when the payment already moved', () => {
    expect(rules.awaitPayment(payment(), 'pi_1').payment.set).toEqual({
      paymentIntentId: 'pi_1',
      status: 'processing'
    })
    const moved = rules.awaitPayment(payment({ status: 'failed' }), 'pi_1')
    expect(moved).toMatchObject({ outcome: 'unchanged', payment: { set: { paymentIntentId: 'pi_1' } } })
  })
})
