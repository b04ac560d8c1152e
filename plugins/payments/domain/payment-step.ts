// What one payment rule decides (domain/payment-rules.ts): the fields of the payment and of its invoice to
// change and the domain events to record. Plain values, so the per-event transitions write them at once
// and the batched webhook processing folds several onto its in-memory copies, from the same decisions.
import type { EmitManyEvent } from '@masterstage/core'
import type {} from '../contract.ts'
import type { Invoice } from '../models/invoice-model.ts'
import type { Payment } from '../models/payment-model.ts'

export interface Changes<T> {
  set: Partial<T>
  unset: (keyof T & string)[]
  inc: Partial<Record<keyof T & string, number>>
}

/** A domain event a payment rule records (payload typed by the contract). */
export type PaymentEmit = Extract<EmitManyEvent, { name: `payment.${string}` }>

export interface Step {
  /** Whether the payment moved (recording a provider id alone does not count). */
  outcome: 'applied' | 'unchanged'
  payment: Changes<Payment>
  invoice: Changes<Invoice>
  emits: PaymentEmit[]
  /** A success that was not applied to its invoice (the caller warns about it). */
  unapplied?: 'duplicate' | 'needs_review'
}

export function noChanges<T>(): Changes<T> {
  return { set: {}, unset: [], inc: {} }
}

export function unchanged(): Step {
  return { outcome: 'unchanged', payment: noChanges(), invoice: noChanges(), emits: [] }
}

export function isEmpty<T>(changes: Changes<T>): boolean {
  return (
    Object.keys(changes.set as object).length === 0 &&
    changes.unset.length === 0 &&
    Object.keys(changes.inc).length === 0
  )
}

/** `doc` with `changes` applied (a new object; `doc` is left as it is). */
export function withChanges<T>(doc: T, changes: Changes<T>): T {
  const next: any = { ...doc, ...changes.set }
  for (const field of changes.unset) delete next[field]
  for (const [field, by] of Object.entries(changes.inc) as [string, number][])
    next[field] = (next[field] ?? 0) + by
  return next
}

/** `second` after `first`: a field set then unset (or the reverse) ends as the later one says. */
export function combine<T>(first: Changes<T>, second: Changes<T>): Changes<T> {
  const set: any = { ...first.set }
  const unset = new Set(first.unset)
  for (const field of second.unset) {
    delete set[field]
    unset.add(field)
  }
  for (const [field, value] of Object.entries(second.set as object)) {
    set[field] = value
    unset.delete(field as keyof T & string)
  }
  const inc: any = { ...first.inc }
  for (const [field, by] of Object.entries(second.inc) as [string, number][])
    inc[field] = (inc[field] ?? 0) + by
  return { set, unset: [...unset], inc }
}

/**
 * Two steps of one payment in order (a refund that overtook the success fulfils first). The outcome is
 * the second's: the step the event asked for.
 */
export function followedBy(first: Step, second: Step): Step {
  return {
    outcome: second.outcome,
    payment: combine(first.payment, second.payment),
    invoice: combine(first.invoice, second.invoice),
    emits: [...first.emits, ...second.emits],
    unapplied: second.unapplied ?? first.unapplied
  }
}

/** The update document of `changes` for one updateOne (empty operators left out). */
export function updateOf<T>(changes: Changes<T>): Record<string, unknown> {
  return {
    ...(Object.keys(changes.set as object).length > 0 ? { $set: changes.set } : {}),
    ...(changes.unset.length > 0 ? { $unset: Object.fromEntries(changes.unset.map((f) => [f, 1])) } : {}),
    ...(Object.keys(changes.inc).length > 0 ? { $inc: changes.inc } : {})
  }
}
