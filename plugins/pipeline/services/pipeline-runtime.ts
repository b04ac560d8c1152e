// One pipeline runtime per loaded plugin context: the models, the tracker and the services share it, and
// every lead change is published to the board through the leads service's realtime events.
import type { PluginContext } from '@masterstage/core'
import { type ConsumedEvent, PipelineServicePath } from '../contract.ts'
import { type PipelineModels, pipelineModels } from '../models/pipeline-models.ts'
import { type LeadEventHandler, leadEventHandlers } from '../subscribers/lead-event-handlers.ts'
import { BoardService } from './board-service.ts'
import { ExportService } from './export-service.ts'
import { LeadTracker } from './lead-tracker.ts'
import { toLeadView } from './lead-view.ts'
import { LeadsService } from './leads-service.ts'
import { MasterclassCatalogue } from './masterclass-catalogue.ts'
import { MetricsService } from './metrics-service.ts'
import { RegistrationService } from './registration-service.ts'

export interface PipelineRuntime {
  models: PipelineModels
  tracker: LeadTracker
  registrations: RegistrationService
  leads: LeadsService
  board: BoardService
  metrics: MetricsService
  export: ExportService
  handlers: Record<ConsumedEvent, LeadEventHandler>
}

// Keyed by the context's models accessor: subscribers and jobs get copies of the context, not the object.
const runtimes = new WeakMap<object, PipelineRuntime>()

export function pipelineRuntime(ctx: PluginContext): PipelineRuntime {
  let runtime = runtimes.get(ctx.models)
  if (runtime) return runtime
  const models = pipelineModels(ctx.models)
  const publish = (lead: any, event: 'created' | 'patched') => {
    try {
      ;(ctx.app.service(PipelineServicePath.leads as any) as any).emit(event, toLeadView(lead))
    } catch (error) {
      ctx.logger.warn({ err: { message: (error as Error).message } }, 'lead change not published')
    }
  }
  const tracker = new LeadTracker({
    models,
    events: ctx.events,
    logger: ctx.logger,
    onLeadChanged: (lead) => publish(lead, 'patched')
  })
  const catalogue = new MasterclassCatalogue({ app: ctx.app })
  const leads = new LeadsService(models, tracker, ctx.events, ctx.app)
  const metrics = new MetricsService(models, {
    tenantTimeZone: async (tenantId) =>
      (await ctx.app.get('access').tenants.byId(tenantId))?.theme?.copy?.timezone
  })
  runtime = {
    models,
    tracker,
    registrations: new RegistrationService({
      models,
      logger: ctx.logger,
      catalogue: (tenantId, masterclassId) => catalogue.check(tenantId, masterclassId),
      enqueue: (job, data, options) => ctx.jobs.enqueue(job, data, options),
      onLeadChanged: (lead, created) => publish(lead, created ? 'created' : 'patched')
    }),
    leads,
    board: new BoardService(leads, metrics),
    metrics,
    export: new ExportService(models),
    handlers: leadEventHandlers(tracker, ctx.logger)
  }
  runtimes.set(ctx.models, runtime)
  return runtime
}
