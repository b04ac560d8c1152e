// The lead tracker: applies the transition table to a lead atomically (compare-and-set on the status),
// records history and emits lead.status.changed. Every step is idempotent by cause id, so a redelivered
// event or a retried handler never records or announces the same move twice.
import { type Actor, conflict, type EventBus, notFound } from '@masterstage/core'
import mongoose from 'mongoose'
import type { Logger } from 'pino'
import type { LeadStatus } from '../contract.ts'
import { decideTransition, funnelRank, type Trigger } from '../domain/transition-table.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'
import { recordHistory, syncLeadCount } from './rollup-writer.ts'

const OBJECT_ID = /^[0-9a-f]{24}$/i
const MAX_CAS_ATTEMPTS = 8

export interface LeadRef {
  leadId?: string
  email?: string
}

export interface Cause {
  /** Event id or request id: the idempotency key of this move. */
  causeId: string
  actor: Actor
  /** When it happened (the event's time); clamped so a stage never lasts a negative time. */
  at: Date
}

export type MoveResult =
  | { kind: 'moved'; lead: any; from: LeadStatus; to: LeadStatus }
  | { kind: 'ignored'; lead: any; reason: string }
  | { kind: 'missing' }

export interface LeadTrackerDeps {
  models: PipelineModels
  events: EventBus
  logger: Logger
  /** Called with each lead after it changed, to publish it to the board (realtime). */
  onLeadChanged?: (lead: any) => void
}

export class LeadTracker {
  private readonly deps: LeadTrackerDeps

  constructor(deps: LeadTrackerDeps) {
    this.deps = deps
  }

  get models(): PipelineModels {
    return this.deps.models
  }

  /** Finds the lead of the current tenant by id, else by (normalized) email. */
  async findLead(ref: LeadRef): Promise<any | null> {
    const { Lead } = this.deps.models
    if (ref.leadId && OBJECT_ID.test(ref.leadId)) {
      const byId = await Lead.findOne({ _id: ref.leadId }).lean()
      if (byId) return byId
    }
    if (ref.email && typeof ref.email === 'string') {
      return Lead.findOne({ email: ref.email.trim().toLowerCase() }).lean()
    }
    return null
  }

  /** A rep's drag on the board: refused moves are a 409 naming the allowed targets. */
  async moveByHand(leadId: string, to: LeadStatus, cause: Cause): Promise<MoveResult> {
    if (!OBJECT_ID.test(leadId)) throw notFound('Lead not found')
    const result = await this.apply({ leadId }, { kind: 'manual', to }, cause)
    if (result.kind === 'missing') throw notFound('Lead not found')
    return result
  }

  async apply(ref: LeadRef, trigger: Trigger, cause: Cause): Promise<MoveResult> {
    const { Lead } = this.deps.models
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const lead = await this.findLead(ref)
      if (!lead) return { kind: 'missing' }
      const decision = decideTransition(lead.status, trigger)
      if (decision.kind === 'refuse') {
        throw conflict(decision.reason, {
          from: lead.status,
          to: trigger.kind === 'manual' ? trigger.to : undefined
        })
      }
      if (decision.kind === 'ignore') {
        // A retry after a crash between the status write and the history write finishes the job here.
        if (lead.lastTransition?.causeId === cause.causeId)
          await this.recordAndAnnounce(lead, lead.lastTransition)
        return { kind: 'ignored', lead, reason: decision.reason }
      }
      const enteredAt = new Date(lead.stageEnteredAt)
      const at = cause.at < enteredAt ? enteredAt : cause.at
      const transition = {
        causeId: cause.causeId,
        from: decision.from,
        to: decision.to,
        at,
        durationMs: at.getTime() - enteredAt.getTime(),
        trigger: trigger.kind === 'event' ? `event:${trigger.name}` : 'manual',
        actor: actorRecord(cause.actor)
      }
      const rank = funnelRank(decision.to)
      const updated = await Lead.findOneAndUpdate(
        { _id: lead._id, status: decision.from },
        {
          $set: { status: decision.to, stageEnteredAt: at, lastTransition: transition },
          ...(rank > lead.funnelRank && { $max: { funnelRank: rank } })
        },
        { returnDocument: 'after' }
      ).lean()
      // Someone else moved it meanwhile: decide again from the new status.
      if (!updated) continue
      await this.recordAndAnnounce(updated, transition)
      return { kind: 'moved', lead: updated, from: decision.from, to: decision.to }
    }
    throw conflict('The lead kept changing; retry')
  }

  /** Sets fields that are not statuses (score, owner) from events; publishes the change. */
  async setFields(
    ref: LeadRef,
    set: Record<string, unknown>,
    onlyIfMissing: string[] = []
  ): Promise<any | null> {
    const { Lead } = this.deps.models
    const lead = await this.findLead(ref)
    if (!lead) return null
    const filter: Record<string, unknown> = { _id: lead._id }
    for (const field of onlyIfMissing) filter[field] = mongoose.trusted({ $exists: false })
    const updated = await Lead.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' }).lean()
    if (updated) {
      if ('assignedToId' in set) await syncLeadCount(this.deps.models, updated._id)
      this.deps.onLeadChanged?.(updated)
    }
    return updated ?? lead
  }

  private async recordAndAnnounce(lead: any, transition: any): Promise<void> {
    const { models } = this.deps
    await recordHistory(models, {
      leadId: String(lead._id),
      from: transition.from,
      to: transition.to,
      at: transition.at,
      durationMs: transition.durationMs,
      trigger: transition.trigger,
      actor: transition.actor,
      causeId: transition.causeId,
      masterclassId: lead.masterclassId,
      utmSource: lead.source?.utmSource,
      assignedToId: lead.assignedToId
    })
    await syncLeadCount(models, lead._id)
    await this.deps.events.emit(
      'lead.status.changed',
      {
        leadId: String(lead._id),
        from: transition.from,
        to: transition.to,
        trigger: transition.trigger,
        ...(transition.actor.userId && { actorUserId: transition.actor.userId })
      },
      { id: `lead.status.changed:${lead._id}:${transition.causeId}`, causationId: transition.causeId }
    )
    this.deps.onLeadChanged?.(lead)
    this.deps.logger.info(
      { leadId: String(lead._id), from: transition.from, to: transition.to, trigger: transition.trigger },
      'lead moved'
    )
  }
}

export function actorRecord(actor: Actor): { kind: Actor['kind']; userId?: string; name?: string } {
  if (actor.kind === 'user') return { kind: 'user', userId: actor.userId }
  if (actor.kind === 'system') return { kind: 'system', name: actor.name }
  return { kind: 'anonymous' }
}
