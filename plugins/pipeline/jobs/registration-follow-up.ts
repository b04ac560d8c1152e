// Follow-up of a registration, off the request path: announces the lead, then makes sure the person has
// one attendee account in the tenant (core's users service) and links it. Idempotent: reruns find what exists.
import type { Application } from '@masterstage/core'
import type { PipelineModels } from '../models/pipeline-models.ts'
import { announceLead } from './announce-lead.ts'

export interface RegistrationFollowUpData {
  leadId: string
  /** The lead's registration count when queued (1 = first registration). */
  registration?: number
}

/** The slice of core's users service this job needs (internal calls, no provider: the platform acts). */
interface UsersServiceLike {
  find(params: any): Promise<{ data: { _id: string }[] } | { _id: string }[]>
  createStaff(data: any, params?: { emailUnproven?: boolean }): Promise<{ _id: string }>
}

export async function ensureAttendeeUser(
  app: Application,
  tenantId: string,
  lead: any
): Promise<string | undefined> {
  const users = (app as any).service('users') as UsersServiceLike | undefined
  if (!users) return undefined
  const lookup = async () => {
    const found = await users.find({
      query: { email: lead.email, role: 'attendee' },
      tenant: { id: tenantId }
    })
    const list = Array.isArray(found) ? found : found.data
    return list[0]?._id ? String(list[0]._id) : undefined
  }
  const existing = await lookup()
  if (existing) return existing
  try {
    const created = await users.createStaff(
      {
        email: lead.email,
        name: lead.name,
        role: 'attendee',
        tenantIds: [tenantId],
        ...(lead.phone && { phone: lead.phone }),
        ...(lead.company && { company: lead.company })
      },
      { emailUnproven: true }
    ) // typed into a public form: not proof that the person owns the address
    return String(created._id)
  } catch (error) {
    // A concurrent run (or the attendee signing up meanwhile) created it first: use that account.
    if ((error as { code?: number }).code === 409) return lookup()
    throw error
  }
}

export async function runRegistrationFollowUp(
  app: Application,
  models: PipelineModels,
  tenantId: string,
  data: RegistrationFollowUpData
): Promise<void> {
  const lead: any = await models.Lead.findOne({ _id: data.leadId }).lean()
  if (!lead) return
  await announceLead(models, app.get('events'), lead, data.registration ?? 1)
  if (lead.userId) return
  const userId = await ensureAttendeeUser(app, tenantId, lead)
  if (userId) await models.Lead.updateOne({ _id: lead._id }, { $set: { userId } })
}

/** How far back the sweep looks for registrations whose follow-up never ran. */
const SWEEP_WINDOW_MS = 7 * 24 * 3600_000
/** A follow-up normally runs within seconds; only older registrations are the sweep's. */
const SWEEP_GRACE_MS = 60_000

/**
 * Registrations whose follow-up never ran (a lost enqueue: Redis was down) get it queued again, first ones
 * and repeats alike: a lead registered in the last week with fewer registrations announced than made.
 * Run every minute per tenant; the window keeps it an index range of recent registrations.
 */
export async function sweepUnannounced(
  models: PipelineModels,
  enqueue: (data: RegistrationFollowUpData, jobId: string) => Promise<void>,
  now = new Date()
): Promise<number> {
  const stale = await models.Lead.aggregate([
    {
      $match: {
        lastRegisteredAt: {
          $gte: new Date(now.getTime() - SWEEP_WINDOW_MS),
          $lt: new Date(now.getTime() - SWEEP_GRACE_MS)
        },
        // Leads announced before the count existed (announcedAt set, no count) count as fully announced.
        $expr: {
          $lt: [
            {
              $ifNull: [
                '$announcedRegistrations',
                { $cond: [{ $ifNull: ['$announcedAt', false] }, '$registrations', 0] }
              ]
            },
            '$registrations'
          ]
        }
      }
    },
    { $limit: 500 },
    { $project: { _id: 1, registrations: 1 } }
  ])
  for (const lead of stale) {
    const leadId = String(lead._id)
    await enqueue(
      { leadId, registration: lead.registrations },
      `registration-follow-up:${leadId}:${lead.registrations}:sweep-${Math.floor(now.getTime() / 60_000)}`
    )
  }
  return stale.length
}
