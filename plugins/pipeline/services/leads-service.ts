// The `pipeline/leads` service: the board's reads (filters, paging, agency-wide via core's read scope),
// rep edits (owner, tags, notes) and manual moves through the transition table (`move`).
import {
  currentScope,
  type EventBus,
  type FieldError,
  type MasterstageParams,
  notFound,
  type PluginContext,
  queryNotAllowed,
  validationError
} from '@masterstage/core'
import mongoose from 'mongoose'
import { LEAD_STATUSES, LEADS_PAGE_MAX, type Lead, type LeadStatus } from '../contract.ts'
import { type LeadFilters, leadMatch, parseLeadFilters } from '../domain/lead-filters.ts'
import type { PipelineModels } from '../models/pipeline-models.ts'
import { isLeadOwnerCandidate, OWNER_REFUSED } from './lead-owner.ts'
import type { LeadTracker } from './lead-tracker.ts'
import { toLeadView } from './lead-view.ts'
import { syncLeadCount } from './rollup-writer.ts'

const OBJECT_ID = /^[0-9a-f]{24}$/i
const TAG = /^[\p{L}\p{N} _-]{1,40}$/u
const MAX_LIMIT = LEADS_PAGE_MAX
const PAGING_KEYS = ['$limit', '$skip'] as const

export interface LeadsPage {
  total: number
  limit: number
  skip: number
  data: Lead[]
}

export interface LeadPatch {
  assignedToId?: string | null
  tags?: string[]
  note?: string
}

export class LeadsService {
  private readonly models: PipelineModels
  private readonly tracker: LeadTracker
  private readonly events: EventBus
  /** The owner check reads users and tenants through the app. */
  private readonly app: PluginContext['app']

  constructor(models: PipelineModels, tracker: LeadTracker, events: EventBus, app: PluginContext['app']) {
    this.models = models
    this.tracker = tracker
    this.events = events
    this.app = app
  }

  async find(params: MasterstageParams = {}): Promise<LeadsPage> {
    const query = (params.query ?? {}) as Record<string, unknown>
    const filters = parseLeadFilters(query, PAGING_KEYS)
    const limit = paging(query.$limit, 100, MAX_LIMIT, '$limit')
    const skip = paging(query.$skip, 0, Number.MAX_SAFE_INTEGER, '$skip')
    const [total, data] = await Promise.all([
      this.models.Lead.countDocuments(trustedFilter(leadMatch(filters))),
      this.newest(filters, limit, skip)
    ])
    return { total, limit, skip, data }
  }

  /** A page of the newest leads matching `filters`, without their total (the board counts all at once). */
  async newest(filters: LeadFilters, limit: number, skip = 0): Promise<Lead[]> {
    const data = await this.models.Lead.find(trustedFilter(leadMatch(filters)))
      .sort({ updatedAt: -1, _id: 1 })
      .skip(skip)
      .limit(limit)
      .lean()
    return data.map(toLeadView)
  }

  /**
   * How many leads matching `filters` each status has, from one aggregation (core prepends the caller's
   * tenant or agency-wide condition): the board's column totals without a count per column.
   */
  async countByStatus(filters: LeadFilters): Promise<Record<LeadStatus, number>> {
    const rows: { _id: string; count: number }[] = await this.models.Lead.aggregate([
      { $match: leadMatch(filters) },
      { $group: { _id: '$status', count: { $sum: 1 } } }
    ])
    const counts = Object.fromEntries(LEAD_STATUSES.map((status) => [status, 0])) as Record<
      LeadStatus,
      number
    >
    for (const row of rows) if (Object.hasOwn(counts, row._id)) counts[row._id as LeadStatus] = row.count
    return counts
  }

  async get(id: string): Promise<Lead> {
    return toLeadView(await this.load(id))
  }

  async patch(id: string, data: unknown): Promise<Lead> {
    const patch = validatePatch(data)
    const lead = await this.load(id)
    if (patch.assignedToId) await this.assertOwnerCandidate(patch.assignedToId, String(lead.tenantId))
    const actor = currentScope()?.actor
    const set: Record<string, unknown> = {}
    const unset: Record<string, 1> = {}
    if (patch.assignedToId === null) unset.assignedToId = 1
    else if (patch.assignedToId !== undefined) set.assignedToId = patch.assignedToId
    if (patch.tags) set.tags = [...new Set(patch.tags)]
    const push = patch.note
      ? {
          notes: {
            text: patch.note,
            at: new Date(),
            ...(actor?.kind === 'user' && { authorId: actor.userId })
          }
        }
      : undefined
    const updated = await this.models.Lead.findOneAndUpdate(
      { _id: lead._id },
      {
        ...(Object.keys(set).length > 0 && { $set: set }),
        ...(Object.keys(unset).length > 0 && { $unset: unset }),
        ...(push && { $push: push })
      },
      { returnDocument: 'after' }
    ).lean()
    if (!updated) throw notFound('Lead not found')
    // The owner is a metrics dimension: move the lead's count to the new owner's slice.
    if (patch.assignedToId !== undefined) await syncLeadCount(this.models, updated._id)
    const changed = Object.keys(patch).filter((key) => (patch as Record<string, unknown>)[key] !== undefined)
    // Event ids are minted here, never from the client's X-Request-Id: a reused header must not merge
    // two edits into one event. The request id is kept as the causation for tracing.
    await this.events.emit(
      'lead.updated',
      { leadId: String(updated._id), email: (updated as any).email, changed },
      {
        id: `lead.updated:${updated._id}:${new mongoose.Types.ObjectId()}`,
        causationId: currentScope()?.requestId
      }
    )
    return toLeadView(updated)
  }

  /** Custom method: a rep drags a lead to another column. Refused moves answer 409 with the reason. */
  async move(data: unknown, _params?: MasterstageParams): Promise<Lead> {
    const { leadId, to } = validateMove(data)
    const scope = currentScope()
    const result = await this.tracker.moveByHand(leadId, to, {
      // One manual move is one history entry: the key is minted per call, not taken from X-Request-Id.
      causeId: `manual:${new mongoose.Types.ObjectId()}`,
      actor: scope?.actor ?? { kind: 'anonymous' },
      at: new Date()
    })
    if (result.kind === 'missing') throw notFound('Lead not found')
    return toLeadView(result.lead)
  }

  private async assertOwnerCandidate(userId: string, tenantId: string): Promise<void> {
    if (!(await isLeadOwnerCandidate(this.app, userId, tenantId)))
      throw validationError('Invalid lead change', [{ path: 'assignedToId', message: OWNER_REFUSED }])
  }

  private async load(id: string): Promise<any> {
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw notFound('Lead not found')
    const lead = await this.models.Lead.findOne({ _id: id }).lean()
    if (!lead) throw notFound('Lead not found')
    return lead
  }
}

/** Query operators we add ourselves are marked trusted (the connection sanitizes client filters). */
export function trustedFilter(match: Record<string, unknown>): Record<string, unknown> {
  const filter = { ...match }
  if (filter.createdAt) filter.createdAt = mongoose.trusted(filter.createdAt)
  return filter
}

/** A paging number from a query (`$limit`, `$skip`, the board's `show.<STATUS>`): an integer min..max. */
export function paging(value: unknown, fallback: number, max: number, path: string, min = 0): number {
  if (value === undefined || value === '') return fallback
  const number = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw queryNotAllowed('Invalid paging', [
      { path, message: `must be an integer between ${min} and ${max}` }
    ])
  }
  return number
}

function validatePatch(data: unknown): LeadPatch {
  const errors: FieldError[] = []
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw validationError('Invalid lead change', [{ path: '', message: 'must be an object' }])
  }
  const input = data as Record<string, unknown>
  const patch: LeadPatch = {}
  for (const key of Object.keys(input)) {
    if (key === 'status')
      errors.push({ path: key, message: 'changes through the move method (transition table)' })
    else if (!['assignedToId', 'tags', 'note'].includes(key))
      errors.push({ path: key, message: 'cannot be changed here' })
  }
  if ('assignedToId' in input) {
    const value = input.assignedToId
    if (value === null) patch.assignedToId = null
    else if (typeof value === 'string' && OBJECT_ID.test(value)) patch.assignedToId = value
    else errors.push({ path: 'assignedToId', message: 'must be a user id or null' })
  }
  if ('tags' in input) {
    const tags = input.tags
    if (!Array.isArray(tags) || tags.length > 20)
      errors.push({ path: 'tags', message: 'must be a list of up to 20 tags' })
    else
      tags.forEach((tag, index) => {
        if (typeof tag !== 'string' || !TAG.test(tag.trim()))
          errors.push({
            path: `tags.${index}`,
            message: 'must be a word of up to 40 letters, digits, - or _'
          })
      })
    if (!errors.some((e) => e.path.startsWith('tags')))
      patch.tags = (tags as string[]).map((tag) => tag.trim())
  }
  if ('note' in input) {
    const note = input.note
    if (typeof note !== 'string' || note.trim() === '' || note.length > 4000)
      errors.push({ path: 'note', message: 'must be text of 1 to 4000 characters' })
    else patch.note = note.trim()
  }
  if (errors.length === 0 && Object.keys(patch).length === 0)
    errors.push({ path: '', message: 'nothing to change (assignedToId, tags or note)' })
  if (errors.length > 0) throw validationError('Invalid lead change', errors)
  return patch
}

function validateMove(data: unknown): { leadId: string; to: LeadStatus } {
  const input = (data ?? {}) as Record<string, unknown>
  const errors: FieldError[] = []
  if (typeof input.leadId !== 'string' || !OBJECT_ID.test(input.leadId))
    errors.push({ path: 'leadId', message: 'must be a lead id' })
  if (typeof input.to !== 'string' || !(LEAD_STATUSES as readonly string[]).includes(input.to))
    errors.push({ path: 'to', message: `must be one of ${LEAD_STATUSES.join(', ')}` })
  for (const key of Object.keys(input))
    if (key !== 'leadId' && key !== 'to') errors.push({ path: key, message: 'is not a move field' })
  if (errors.length > 0) throw validationError('Invalid move', errors)
  return { leadId: input.leadId as string, to: input.to as LeadStatus }
}
