// Announces a registration after its write: the creation history entry and lead.created (once per lead),
// lead.updated for a repeated registration. Deterministic event ids and a unique history key make every
// rerun harmless; `announcedRegistrations` tells the sweep which registrations are done.
import type { EventBus } from '@masterstage/core'
import type { PipelineModels } from '../models/pipeline-models.ts'
import { recordHistory, syncLeadCount } from '../services/rollup-writer.ts'

export async function announceLead(
  models: PipelineModels,
  events: EventBus,
  lead: any,
  registration: number
): Promise<void> {
  const leadId = String(lead._id)
  if (!lead.announcedAt) {
    await recordHistory(models, {
      leadId,
      from: null,
      to: 'NEW',
      at: lead.createdAt,
      durationMs: 0,
      trigger: 'registration',
      actor: { kind: 'anonymous' },
      causeId: `registration:${leadId}`,
      masterclassId: lead.masterclassId,
      utmSource: lead.source?.utmSource
    })
    await syncLeadCount(models, lead._id)
    await events.emit(
      'lead.created',
      {
        leadId,
        email: lead.email,
        name: lead.name,
        ...(lead.masterclassId && { masterclassId: lead.masterclassId }),
        source: lead.source ?? {}
      },
      { id: `lead.created:${leadId}` }
    )
  }
  if (registration > 1) {
    await events.emit(
      'lead.updated',
      { leadId, email: lead.email, masterclassId: lead.masterclassId, changed: ['registration'] },
      { id: `lead.updated:${leadId}:registration-${registration}` }
    )
  }
  // One write: announcedAt once (lead.created recorded), and $max so that a follow-up of an earlier
  // registration finishing late never lowers the count.
  await models.Lead.updateOne(
    { _id: lead._id },
    {
      ...(!lead.announcedAt && { $set: { announcedAt: new Date() } }),
      $max: { announcedRegistrations: registration }
    }
  )
}
