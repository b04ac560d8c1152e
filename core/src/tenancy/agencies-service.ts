// The agencies service: the companies that run tenants. Platform admins manage them; an agency admin sees
// and renames its own agency.

import type { Application, AuthenticatedUser, MasterstageParams } from '../app/declarations.ts'
import { canManageAgency } from '../auth/policy.ts'
import { isDuplicateKeyError } from '../data/duplicate-key.ts'
import { conflict, forbidden, notFound, validationError } from '../errors/codes.ts'
import { plainQuery } from './query-guard.ts'
import { schemaErrors } from './schema-validation.ts'
import type { AgencyDocument } from './tenancy-models.ts'
import { agencyCreateSchema, agencyPatchSchema } from './tenant-schema.ts'

export const AGENCIES_PATH = 'agencies'
const OBJECT_ID = /^[0-9a-f]{24}$/

export function publicAgency(agency: AgencyDocument) {
  return {
    _id: String(agency._id),
    slug: agency.slug,
    name: agency.name,
    createdAt: new Date(agency.createdAt).toISOString(),
    updatedAt: new Date(agency.updatedAt).toISOString()
  }
}

function validated<T>(schema: Parameters<typeof schemaErrors>[0], data: unknown, message: string): T {
  const errors =
    data && typeof data === 'object' && !Array.isArray(data)
      ? schemaErrors(schema, data)
      : [{ path: '', message: 'must be an object' }]
  if (errors.length > 0) throw validationError(message, errors)
  return data as T
}

export class AgenciesService {
  app: Application
  constructor(app: Application) {
    this.app = app
  }

  private get models() {
    return this.app.get('access').tenancy
  }

  private visibility(user: AuthenticatedUser | undefined): Record<string, unknown> {
    if (!user || user.role === 'platform_admin') return {}
    return { _id: user.agencyId && OBJECT_ID.test(user.agencyId) ? user.agencyId : null }
  }

  async find(params: MasterstageParams) {
    const { filter, limit, skip } = plainQuery(params.query, ['slug'])
    const query = { ...filter, ...this.visibility(params.user) }
    const [total, data] = await Promise.all([
      this.models.Agency.countDocuments(query).exec(),
      this.models.Agency.find(query).sort({ slug: 1 }).skip(skip).limit(limit).lean<AgencyDocument[]>().exec()
    ])
    return { total, limit, skip, data: data.map(publicAgency) }
  }

  async get(id: string, params: MasterstageParams) {
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) throw notFound('Agency not found')
    const agency = await this.models.Agency.findOne({ ...this.visibility(params.user), _id: id })
      .lean<AgencyDocument>()
      .exec()
    if (!agency) throw notFound('Agency not found')
    return publicAgency(agency)
  }

  async create(data: { slug: string; name: string }, _params: MasterstageParams) {
    const input = validated<{ slug: string; name: string }>(agencyCreateSchema, data, 'Invalid agency')
    try {
      return publicAgency((await this.models.Agency.create(input)).toObject())
    } catch (error) {
      if (isDuplicateKeyError(error)) throw conflict(`Slug ${input.slug} is taken`, { field: 'slug' })
      throw error
    }
  }

  async patch(id: string, data: { name?: string }, params: MasterstageParams) {
    const input = validated<{ name?: string }>(agencyPatchSchema, data, 'Invalid agency change')
    await this.get(id, params)
    if (params.user && !canManageAgency(params.user, id)) throw forbidden('You may not change this agency')
    const updated = await this.models.Agency.findByIdAndUpdate(
      id,
      { $set: input },
      { returnDocument: 'after' }
    )
      .lean<AgencyDocument>()
      .exec()
    if (!updated) throw notFound('Agency not found')
    return publicAgency(updated)
  }
}
