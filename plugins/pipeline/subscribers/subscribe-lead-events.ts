// Subscribes the lead event handlers on the bus with stable handler names (`pipeline.<event>`), skipping
// tenants that have not enabled the plugin. Done from setup because handlers need the plugin's context.
import type { PluginContext } from '@masterstage/core'
import { CONSUMED_EVENTS } from '../contract.ts'
import type { LeadTracker } from '../services/lead-tracker.ts'
import { leadEventHandlers } from './lead-event-handlers.ts'

export function subscriberHandlerName(event: string): string {
  return `pipeline.${event}`
}

export function subscribeLeadEvents(ctx: PluginContext, tracker: LeadTracker): void {
  const handlers = leadEventHandlers(tracker)
  for (const event of CONSUMED_EVENTS) {
    ;(ctx.events as any).subscribe(
      event,
      subscriberHandlerName(event),
      async (domainEvent: any, run: any) => {
        if (domainEvent.tenantId && !(await ctx.tenants.isEnabled(domainEvent.tenantId))) return
        await handlers[event](domainEvent)
        run.logger?.debug?.({ eventId: domainEvent.id }, 'lead event handled')
      }
    )
  }
}
