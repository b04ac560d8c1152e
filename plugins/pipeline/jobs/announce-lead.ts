// Announces a registration after its write: the creation history entry and lead.created (once per lead),
// lead.updated for each repeated registration. Deterministic event ids and a unique history key make every
// rerun harmless; `announcedRegistrations` tells the sweep which registrations are done.
import type { EventBus } from '@masterstage/core'
import type { PipelineModels } from '../models/pipeline-models.ts'
import { recordHistory, syncLeadCount } from '../services/rollup-writer.ts'

/** Repeats announced by one run at most; the sweep continues with the rest. */
export const MAX_REPEATS_PER_RUN = 100

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
  // Every repeat up to this one not announced yet, not only this one: the follow-ups of earlier repeats
  // may have been lost (queue down) while this one ran, or this is the sweep catching up on several. An
  // announcement still in flight elsewhere has the same event id, so it is recorded once.
  // At most MAX_REPEATS_PER_RUN at once (a bot's thousand registrations must not make one huge write): the
  // count records how far this run got, and the sweep picks up the rest a minute later.
  const first = Math.max(2, announcedSoFar(lead, registration) + 1)
  const last = Math.min(registration, first + MAX_REPEATS_PER_RUN - 1)
  const repeats = []
  for (let repeat = first; repeat <= last; repeat++) {
    repeats.push({
      name: 'lead.updated' as const,
      payload: { leadId, email: lead.email, masterclassId: lead.masterclassId, changed: ['registration'] },
      id: `lead.updated:${leadId}:registration-${repeat}`
    })
  }
  if (repeats.length > 0) await events.emitMany(repeats)
  // One write: announcedAt once (lead.created recorded), and $max so that a follow-up of an earlier
  // registration finishing late never lowers the count.
  await models.Lead.updateOne(
    { _id: lead._id },
    {
      ...(!lead.announcedAt && { $set: { announcedAt: new Date() } }),
      $max: { announcedRegistrations: last }
    }
  )
}

/**
 * Registrations already announced. Leads announced before the count existed (announcedAt, no count) had
 * every earlier registration announced by its own follow-up: only this one is left.
 */
function announcedSoFar(lead: any, registration: number): number {
  if (typeof lead.announcedRegistrations === 'number') return lead.announcedRegistrations
  return lead.announcedAt ? registration - 1 : 0
}
