// Public registration: validates, then upserts the one lead of (tenant, email) atomically, announces it
// (lead.created once, lead.updated on repeats) and queues the follow-up job that ensures the attendee user.
import { currentScope, type EventBus, type MasterstageParams, validationError } from '@masterstage/core'
import type { Logger } from 'pino'
import { type RegistrationInput, validateRegistration } from '../domain/registration-input.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'
import { actorRecord } from './lead-tracker.ts'

export const REGISTRATION_FOLLOW_UP_JOB = 'registration-follow-up'

/** The same answer whether the person is new, known or a bot: nothing to learn by probing emails. */
export interface RegistrationReceipt {
  received: true
  masterclassId: string
}

export interface RegistrationDeps {
  models: PipelineModels
  events: EventBus
  logger: Logger
  enqueue(job: string, data: unknown, options: { jobId: string }): Promise<void>
  onLeadChanged?: (lead: any, created: boolean) => void
}

const MAX_UPSERT_ATTEMPTS = 3

export class RegistrationService {
  private readonly deps: RegistrationDeps

  constructor(deps: RegistrationDeps) {
    this.deps = deps
  }

  async create(data: unknown, params: MasterstageParams = {}): Promise<RegistrationReceipt> {
    const result = validateRegistration(data)
    if (!result.ok) throw validationError('Invalid registration', result.errors)
    const input = result.value
    const scope = currentScope()
    if (input.honeypotFilled) {
      this.deps.logger.warn(
        { tenantId: scope?.tenantId, ip: params.ip },
        'registration refused: honeypot filled'
      )
      return { received: true, masterclassId: input.masterclassId }
    }
    const now = new Date()
    const { lead, created } = await this.upsertLead(input, now)
    const leadId = String(lead._id)
    if (created || !lead.announcedAt) {
      await this.announceCreated(lead, now, scope?.requestId)
    } else {
      await this.deps.events.emit(
        'lead.updated',
        { leadId, email: lead.email, masterclassId: input.masterclassId, changed: ['registration'] },
        { id: `lead.updated:${leadId}:${lead.registrations}` }
      )
    }
    await this.deps.enqueue(
      REGISTRATION_FOLLOW_UP_JOB,
      { leadId },
      { jobId: `${REGISTRATION_FOLLOW_UP_JOB}:${leadId}:${lead.registrations}` }
    )
    this.deps.onLeadChanged?.(lead, created)
    return { received: true, masterclassId: input.masterclassId }
  }

  private async upsertLead(input: RegistrationInput, now: Date): Promise<{ lead: any; created: boolean }> {
    const { Lead } = this.deps.models
    const update = {
      $setOnInsert: {
        email: input.email,
        masterclassId: input.masterclassId,
        source: input.source,
        status: 'NEW',
        funnelRank: 0,
        stageEnteredAt: now,
        tags: [],
        notes: [],
        paidMinor: 0
      },
      $set: {
        name: input.name,
        consentAt: now,
        lastRegisteredAt: now,
        ...(input.phone !== undefined && { phone: input.phone }),
        ...(input.company !== undefined && { company: input.company })
      },
      $addToSet: { masterclassIds: input.masterclassId },
      $inc: { registrations: 1 }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const raw: any = await Lead.findOneAndUpdate({ email: input.email }, update, {
          upsert: true,
          returnDocument: 'after',
          includeResultMetadata: true,
          setDefaultsOnInsert: false
        }).lean()
        return { lead: raw.value, created: raw.lastErrorObject?.updatedExisting === false }
      } catch (error) {
        // Two first registrations racing: the loser's insert hits the unique index; it is an update now.
        if ((error as { code?: number }).code !== 11000 || attempt >= MAX_UPSERT_ATTEMPTS) throw error
      }
    }
  }

  private async announceCreated(lead: any, now: Date, requestId?: string): Promise<void> {
    const { Lead, History } = this.deps.models
    const leadId = String(lead._id)
    const scope = currentScope()
    try {
      await History.create({
        leadId,
        from: null,
        to: 'NEW',
        at: lead.createdAt ?? now,
        durationMs: 0,
        trigger: 'registration',
        actor: actorRecord(scope?.actor ?? { kind: 'anonymous' }),
        causeId: `registration:${leadId}`,
        masterclassId: lead.masterclassId,
        utmSource: lead.source?.utmSource
      })
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error
    }
    // Deterministic id: a concurrent duplicate or a retry after a crash records the event once.
    await this.deps.events.emit(
      'lead.created',
      {
        leadId,
        email: lead.email,
        name: lead.name,
        ...(lead.masterclassId && { masterclassId: lead.masterclassId }),
        source: lead.source ?? {}
      },
      { id: `lead.created:${leadId}`, ...(requestId && { causationId: requestId }) }
    )
    await Lead.updateOne({ _id: lead._id }, { $set: { announcedAt: now } })
  }
}
