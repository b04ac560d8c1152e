// Every (status, trigger) pair against a hand-written expectation: each allowed move, each refused manual
// move, and every out-of-order event that must leave the lead where it is.
import { describe, expect, it } from 'vitest'
import { LEAD_STATUSES, type LeadStatus } from '../../contract.ts'
import {
  allowedManualTargets,
  decideTransition,
  type EventTrigger,
  funnelRank
} from '../../domain/transition-table.ts'

// Expected target per event, per current status; '-' means the event leaves the lead as it is.
const EVENT_EXPECTATIONS: Record<EventTrigger, Record<LeadStatus, LeadStatus | '-'>> = {
  'invoice.issued': {
    NEW: 'INVOICED',
    INVOICED: '-',
    PAID: '-',
    ATTENDED: '-',
    SCHEDULED: '-',
    WON: '-',
    LOST: '-'
  },
  'payment.succeeded': {
    NEW: 'PAID',
    INVOICED: 'PAID',
    PAID: '-',
    ATTENDED: '-',
    SCHEDULED: '-',
    WON: '-',
    LOST: '-'
  },
  'attendance.joined': {
    NEW: 'ATTENDED',
    INVOICED: 'ATTENDED',
    PAID: 'ATTENDED',
    ATTENDED: '-',
    SCHEDULED: '-',
    WON: '-',
    LOST: '-'
  },
  'appointment.booked': {
    NEW: 'SCHEDULED',
    INVOICED: 'SCHEDULED',
    PAID: 'SCHEDULED',
    ATTENDED: 'SCHEDULED',
    SCHEDULED: '-',
    WON: '-',
    LOST: '-'
  },
  'payment.refunded': {
    NEW: '-',
    INVOICED: '-',
    PAID: 'LOST',
    ATTENDED: '-',
    SCHEDULED: '-',
    WON: '-',
    LOST: '-'
  }
}

// Manual moves a rep may make: only what no event can prove (won, lost).
const MANUAL_ALLOWED: Record<LeadStatus, LeadStatus[]> = {
  NEW: ['LOST'],
  INVOICED: ['LOST'],
  PAID: ['LOST'],
  ATTENDED: ['WON', 'LOST'],
  SCHEDULED: ['WON', 'LOST'],
  WON: [],
  LOST: []
}

describe('transition table: events', () => {
  for (const [event, row] of Object.entries(EVENT_EXPECTATIONS) as [
    EventTrigger,
    Record<LeadStatus, string>
  ][]) {
    for (const from of LEAD_STATUSES) {
      const expected = row[from]
      it(`${event} on ${from} → ${expected === '-' ? 'stays' : expected}`, () => {
        const decision = decideTransition(from, { kind: 'event', name: event })
        if (expected === '-') expect(decision.kind).toBe('ignore')
        else expect(decision).toEqual({ kind: 'move', from, to: expected })
      })
    }
  }

  it('never moves a funnel lead backwards on any event', () => {
    for (const event of Object.keys(EVENT_EXPECTATIONS) as EventTrigger[]) {
      for (const from of LEAD_STATUSES) {
        const decision = decideTransition(from, { kind: 'event', name: event })
        if (decision.kind === 'move' && decision.to !== 'LOST') {
          expect(funnelRank(decision.to)).toBeGreaterThan(funnelRank(from))
        }
      }
    }
  })

  it('a late invoice.issued after payment.succeeded keeps the lead PAID', () => {
    expect(decideTransition('PAID', { kind: 'event', name: 'invoice.issued' })).toEqual({
      kind: 'ignore',
      reason: 'would-go-backwards'
    })
  })
})

describe('transition table: manual moves', () => {
  for (const from of LEAD_STATUSES) {
    for (const to of LEAD_STATUSES) {
      if (to === from) continue
      const allowed = MANUAL_ALLOWED[from].includes(to)
      it(`${from} → ${to} by hand is ${allowed ? 'allowed' : 'refused'}`, () => {
        const decision = decideTransition(from, { kind: 'manual', to })
        if (allowed) expect(decision).toEqual({ kind: 'move', from, to })
        else {
          expect(decision.kind).toBe('refuse')
          expect((decision as { reason: string }).reason).toContain(from)
        }
      })
    }
  }

  it('lists the targets the board may offer', () => {
    for (const from of LEAD_STATUSES)
      expect(allowedManualTargets(from).sort()).toEqual([...MANUAL_ALLOWED[from]].sort())
  })

  it('a move to the current status is a no-op, not an error', () => {
    expect(decideTransition('NEW', { kind: 'manual', to: 'NEW' }).kind).toBe('ignore')
  })
})
