// What each consumed event does to a lead: a transition from the table, revenue booking, owner or score.
// Producers identify the lead by leadId or email; events for unknown leads are logged and dropped.
import type { DomainEvent } from '@masterstage/core'
import type { Logger } from 'pino'
import type {
  AppointmentBookedExpected,
  ConsumedEvent,
  InsightGeneratedExpected,
  LeadReference,
  PaymentRefundedExpected,
  PaymentSucceededExpected
} from '../contract.ts'
import type { Cause, LeadRef, LeadTracker } from '../services/lead-tracker.ts'
import { bookRevenue, isAmount } from '../services/revenue-book.ts'

export type LeadEventHandler = (event: DomainEvent<any>) => Promise<void>

function refOf(payload: LeadReference): LeadRef {
  return { leadId: payload.leadId, email: payload.customerEmail ?? payload.email }
}

function causeOf(event: DomainEvent<any>): Cause {
  const at = new Date(event.occurredAt)
  return {
    causeId: event.id,
    actor: { kind: 'system', name: event.name },
    at: Number.isNaN(at.getTime()) ? new Date() : at
  }
}

export function leadEventHandlers(
  tracker: LeadTracker,
  logger: Logger
): Record<ConsumedEvent, LeadEventHandler> {
  const move =
    (
      name:
        | 'invoice.issued'
        | 'attendance.joined'
        | 'payment.succeeded'
        | 'payment.refunded'
        | 'appointment.booked'
    ) =>
    async (event: DomainEvent<any>) => {
      const result = await tracker.apply(refOf(event.payload), { kind: 'event', name }, causeOf(event))
      if (result.kind === 'missing')
        logger.warn({ eventId: event.id, event: event.name }, 'event for an unknown lead dropped')
      else if (result.kind === 'ignored')
        logger.info({ eventId: event.id, event: event.name, reason: result.reason }, 'lead left as it is')
    }
  return {
    'invoice.issued': move('invoice.issued'),
    'attendance.joined': move('attendance.joined'),

    async 'payment.succeeded'(event) {
      const payload = event.payload as PaymentSucceededExpected
      const lead = await tracker.findLead(refOf(payload))
      if (!lead || !isAmount(payload.amountMinor) || typeof payload.currency !== 'string') return
      await bookRevenue(tracker.models, lead, {
        key: `payment:${payload.paymentId}`,
        amountMinor: payload.amountMinor,
        currency: payload.currency,
        at: causeOf(event).at
      })
      await move('payment.succeeded')(event)
    },

    async 'payment.refunded'(event) {
      const payload = event.payload as PaymentRefundedExpected
      const lead = await tracker.findLead(refOf(payload))
      if (!lead || !isAmount(payload.refundedMinor) || typeof payload.currency !== 'string') return
      await bookRevenue(tracker.models, lead, {
        key: `refund:${payload.paymentId}`,
        amountMinor: -payload.refundedMinor,
        currency: payload.currency,
        at: causeOf(event).at
      })
      if (payload.fullyRefunded === true) await move('payment.refunded')(event)
    },

    async 'appointment.booked'(event) {
      const payload = event.payload as AppointmentBookedExpected
      // The rep the call is booked with becomes the owner unless someone already owns the lead.
      if (typeof payload.salesRepId === 'string' && payload.salesRepId !== '') {
        await tracker.setFields(refOf(payload), { assignedToId: payload.salesRepId }, ['assignedToId'])
      }
      await move('appointment.booked')(event)
    },

    async 'insight.generated'(event) {
      const payload = event.payload as InsightGeneratedExpected
      if (typeof payload.score !== 'number' || !Number.isFinite(payload.score)) return
      const score = Math.round(Math.min(100, Math.max(0, payload.score)))
      await tracker.setFields(refOf(payload), { score })
    }
  }
}
