// The lead tracker's transition table: which trigger (event or a rep's manual move) moves a lead from which
// status to which. Pure data and pure functions; the tracker service applies the result atomically.
import type { LeadStatus } from '../contract.ts'

/** Funnel order: events only ever move a lead to a higher rank. LOST sits off the funnel. */
export const FUNNEL: readonly Exclude<LeadStatus, 'LOST'>[] = [
  'NEW',
  'INVOICED',
  'PAID',
  'ATTENDED',
  'SCHEDULED',
  'WON'
]

export function funnelRank(status: LeadStatus): number {
  return status === 'LOST' ? -1 : FUNNEL.indexOf(status)
}

export const TERMINAL: readonly LeadStatus[] = ['WON', 'LOST']

export type EventTrigger =
  | 'invoice.issued'
  | 'payment.succeeded'
  | 'payment.refunded'
  | 'attendance.joined'
  | 'appointment.booked'
export type Trigger = { kind: 'event'; name: EventTrigger } | { kind: 'manual'; to: LeadStatus }

export interface TransitionRule {
  trigger: EventTrigger | 'manual'
  from: readonly LeadStatus[]
  to: LeadStatus
  /** Why this row exists; shown in the board's refusal messages and the docs. */
  why: string
}

/**
 * The table. Events may skip stages (a payment can arrive before its invoice event) but never go back;
 * reps may only decide what no event can prove: a deal won, a lead lost.
 */
export const TRANSITIONS: readonly TransitionRule[] = [
  { trigger: 'invoice.issued', from: ['NEW'], to: 'INVOICED', why: 'an invoice was sent' },
  { trigger: 'payment.succeeded', from: ['NEW', 'INVOICED'], to: 'PAID', why: 'the masterclass was paid' },
  {
    trigger: 'attendance.joined',
    from: ['NEW', 'INVOICED', 'PAID'],
    to: 'ATTENDED',
    why: 'the lead joined the masterclass'
  },
  {
    trigger: 'appointment.booked',
    from: ['NEW', 'INVOICED', 'PAID', 'ATTENDED'],
    to: 'SCHEDULED',
    why: 'a sales call was booked'
  },
  { trigger: 'payment.refunded', from: ['PAID'], to: 'LOST', why: 'the only payment was fully refunded' },
  { trigger: 'manual', from: ['ATTENDED', 'SCHEDULED'], to: 'WON', why: 'a rep closed the deal' },
  {
    trigger: 'manual',
    from: ['NEW', 'INVOICED', 'PAID', 'ATTENDED', 'SCHEDULED'],
    to: 'LOST',
    why: 'a rep marked the lead lost'
  }
]

export type TransitionDecision =
  | { kind: 'move'; from: LeadStatus; to: LeadStatus }
  /** Already there or further along (out-of-order or repeated event): nothing to do, not an error. */
  | { kind: 'ignore'; reason: 'already-there' | 'would-go-backwards' | 'terminal' | 'no-rule' }
  /** A manual move the table does not allow: the caller answers 409 with the reason. */
  | { kind: 'refuse'; reason: string }

export function ruleFor(trigger: Trigger, from: LeadStatus): TransitionRule | undefined {
  const name = trigger.kind === 'event' ? trigger.name : 'manual'
  return TRANSITIONS.find(
    (rule) =>
      rule.trigger === name &&
      rule.from.includes(from) &&
      (trigger.kind === 'event' || rule.to === trigger.to)
  )
}

export function decideTransition(from: LeadStatus, trigger: Trigger): TransitionDecision {
  const rule = ruleFor(trigger, from)
  if (trigger.kind === 'manual') {
    if (trigger.to === from) return { kind: 'ignore', reason: 'already-there' }
    if (rule) return { kind: 'move', from, to: rule.to }
    const allowed = allowedManualTargets(from)
    return {
      kind: 'refuse',
      reason:
        allowed.length > 0
          ? `A lead in ${from} can be moved by hand to ${allowed.join(' or ')} only`
          : `A lead in ${from} is closed and cannot be moved`
    }
  }
  if (rule) return { kind: 'move', from, to: rule.to }
  if (TERMINAL.includes(from)) return { kind: 'ignore', reason: 'terminal' }
  const target = TRANSITIONS.find((r) => r.trigger === trigger.name)?.to
  if (target === from) return { kind: 'ignore', reason: 'already-there' }
  if (target && funnelRank(target) >= 0 && funnelRank(target) < funnelRank(from)) {
    return { kind: 'ignore', reason: 'would-go-backwards' }
  }
  return { kind: 'ignore', reason: 'no-rule' }
}

/** Targets a rep may drag a lead in `from` to (the board greys out the others). */
export function allowedManualTargets(from: LeadStatus): LeadStatus[] {
  return TRANSITIONS.filter((rule) => rule.trigger === 'manual' && rule.from.includes(from)).map(
    (rule) => rule.to
  )
}
