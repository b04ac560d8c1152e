// Public registration: validates, checks the masterclass against the tenant's catalogue, upserts the one
// lead of (tenant, email) atomically and queues the follow-up job that announces it (lead.created once,
// lead.updated on repeats) and ensures the attendee user.
import { currentScope, isDuplicateKeyError, type MasterstageParams, validationError } from '@masterstage/core'
import mongoose from 'mongoose'
import type { Logger } from 'pino'
import { type RegistrationInput, validateRegistration } from '../domain/registration-input.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'
import type { CatalogueVerdict } from './masterclass-catalogue.ts'

export const REGISTRATION_FOLLOW_UP_JOB = 'registration-follow-up'

/** The same answer whether the person is new, known or a bot: nothing to learn by probing emails. */
export interface RegistrationReceipt {
  received: true
  masterclassId: string
}

export interface RegistrationDeps {
  models: PipelineModels
  logger: Logger
  /** 'open' when the tenant's catalogue takes registrations for the masterclass (masterclass-catalogue.ts). */
  catalogue(tenantId: string, masterclassId: string): CatalogueVerdict | Promise<CatalogueVerdict>
  enqueue(job: string, data: unknown, options: { jobId: string }): Promise<void>
  onLeadChanged?: (lead: any, created: boolean) => void
}

const MAX_UPSERT_ATTEMPTS = 3

/** The static core's data layer gives every model (core/src/data/lean-insert.ts). */
interface LeanInsertModel {
  insertLeanOne(doc: Record<string, unknown>): Promise<void>
}

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
    const tenantId = currentScope()?.tenantId ?? params.tenant?.id
    if (!tenantId || (await this.deps.catalogue(tenantId, input.masterclassId)) !== 'open') {
      throw validationError('Invalid registration', [
        { path: 'masterclassId', message: 'is not a masterclass open for registration' }
      ])
    }
    // One database write on the request path (two for a repeat); announcing (events, history, user) is the follow-up job's,
    // queued right after the write and retried until done (the announce sweep catches a lost enqueue).
    const { lead, created } = await this.upsertLead(input, new Date())
    const leadId = String(lead._id)
    // Queued, not waited for: the answer is the same whatever Redis says (the lead is stored; a lost
    // enqueue is the sweep's), so the visitor does not wait for Redis' reply (a second round trip, up to
    // the enqueue timeout while Redis is unreachable).
    this.deps
      .enqueue(
        REGISTRATION_FOLLOW_UP_JOB,
        { leadId, registration: lead.registrations },
        { jobId: `${REGISTRATION_FOLLOW_UP_JOB}:${leadId}:${lead.registrations}` }
      )
      .catch((error: Error) => {
        // Redis unreachable: the registration is stored, so the visitor got their answer (not a 503 that
        // invites a resubmission) and the announce sweep queues the follow-up once Redis is back.
        this.deps.logger.warn(
          { leadId, err: { message: error.message } },
          'registration stored, follow-up left to the sweep'
        )
      })
    this.deps.onLeadChanged?.(lead, created)
    return { received: true, masterclassId: input.masterclassId }
  }

  /**
   * Most registrations are a first one: a plain insert of the whole lead (one unique-index insert in the
   * database, no update casting here) is about half the work of an upsert on both sides. A repeat hits the
   * unique (tenant, email) index and becomes an update; concurrent first registrations race on that index
   * the same way, so there is still one lead per person per tenant.
   */
  private async upsertLead(input: RegistrationInput, now: Date): Promise<{ lead: any; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { lead: await this.insertLead(input, now), created: true }
      } catch (error) {
        if (!isDuplicateKeyError(error) || attempt >= MAX_UPSERT_ATTEMPTS) throw error
      }
      const lead = await this.updateLead(input, now)
      // Deleted between the insert and the update (an erasure request): insert it again.
      if (lead) return { lead, created: false }
    }
  }

  private async insertLead(input: RegistrationInput, now: Date): Promise<any> {
    // Validated and normalized input only (validateRegistration enforces the schema's limits), built in
    // the schema's shape: a lean insert neither casts nor validates. tenantId is stamped by core.
    const lead = {
      _id: new mongoose.Types.ObjectId(),
      email: input.email,
      name: input.name,
      ...(input.phone !== undefined && { phone: input.phone }),
      ...(input.company !== undefined && { company: input.company }),
      masterclassId: input.masterclassId,
      masterclassIds: [input.masterclassId],
      source: input.source,
      status: 'NEW',
      funnelRank: 0,
      stageEnteredAt: now,
      tags: [],
      notes: [],
      paidMinor: 0,
      registrations: 1,
      consentAt: now,
      lastRegisteredAt: now,
      createdAt: now,
      updatedAt: now
    }
    // Core's lean insert: the tenant stamp of the plugin's insertMany hook, then one driver insertOne
    // (mongoose's insertMany pipeline cost about as much client CPU as the insert itself).
    await (this.deps.models.Lead as unknown as LeanInsertModel).insertLeanOne(lead)
    return lead
  }

  private async updateLead(input: RegistrationInput, now: Date): Promise<any> {
    return this.deps.models.Lead.findOneAndUpdate(
      { email: input.email },
      {
        $set: {
          name: input.name,
          consentAt: now,
          lastRegisteredAt: now,
          ...(input.phone !== undefined && { phone: input.phone }),
          ...(input.company !== undefined && { company: input.company })
        },
        $addToSet: { masterclassIds: input.masterclassId },
        $inc: { registrations: 1 }
      },
      { returnDocument: 'after' }
    ).lean()
  }
}
