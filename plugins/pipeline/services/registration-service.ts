// Public registration: validates, upserts the one lead of (tenant, email) atomically and queues the
// follow-up job that announces it (lead.created once, lead.updated on repeats) and ensures the attendee user.
import { currentScope, type MasterstageParams, validationError } from '@masterstage/core'
import type { Logger } from 'pino'
import { type RegistrationInput, validateRegistration } from '../domain/registration-input.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'

export const REGISTRATION_FOLLOW_UP_JOB = 'registration-follow-up'

/** The same answer whether the person is new, known or a bot: nothing to learn by probing emails. */
export interface RegistrationReceipt {
  received: true
  masterclassId: string
}

export interface RegistrationDeps {
  models: PipelineModels
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
    if (input.honeypotFilled) {
      this.deps.logger.warn(
        { tenantId: currentScope()?.tenantId, ip: params.ip },
        'registration refused: honeypot filled'
      )
      return { received: true, masterclassId: input.masterclassId }
    }
    // One database write on the request path; announcing (events, history, user) is the follow-up job's,
    // queued right after the write and retried until done (the announce sweep catches a lost enqueue).
    const { lead, created } = await this.upsertLead(input, new Date())
    const leadId = String(lead._id)
    try {
      await this.deps.enqueue(
        REGISTRATION_FOLLOW_UP_JOB,
        { leadId, registration: lead.registrations },
        { jobId: `${REGISTRATION_FOLLOW_UP_JOB}:${leadId}:${lead.registrations}` }
      )
    } catch (error) {
      // Redis unreachable: the registration is stored, so the visitor gets their answer (not a 503 that
      // invites a resubmission) and the announce sweep queues the follow-up once Redis is back.
      this.deps.logger.warn(
        { leadId, err: { message: (error as Error).message } },
        'registration stored, follow-up left to the sweep'
      )
    }
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
}
