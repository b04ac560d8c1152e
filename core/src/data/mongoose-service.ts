// Feathers 5 service adapter over a mongoose Model (Feathers 5 ships none): Feathers query syntax,
// pagination, multi, closed query schemas for external calls, secret-field stripping and error mapping.
// Tenant isolation is not done here: the model's tenant-scoped plugin enforces it on every operation.
import { AdapterBase, type AdapterParams, type AdapterServiceOptions } from '@feathersjs/adapter-commons'
import { MethodNotAllowed } from '@feathersjs/errors'
import type { Id, NullableId, Paginated } from '@feathersjs/feathers'
import type { Model } from 'mongoose'
import mongoose from 'mongoose'
import type { MasterstageParams } from '../app/declarations.ts'
import { ErrorCode, notFound } from '../errors/codes.ts'
import { fastPathsOf, inMongooseTransactionContext, SAVE_TO_OBJECT_OPTIONS } from './adapter-fast-paths.ts'
import { assertClientData } from './data-guard.ts'
import { pickSelected, type TranslatedQuery, translateQuery } from './feathers-query.ts'
import { type MapErrorContext, mapDataError } from './map-data-error.ts'
import { assertQueryAllowed, CLOSED_QUERY, type QuerySchema } from './query-schema.ts'
import { secretPathsOf, stripSecretFields } from './secret-fields.ts'
import { TENANT_FIELD } from './tenant-scope-access.ts'
import { isTenantScopedSchema, scopedReadFilter, stampNewDocument } from './tenant-scoped-plugin.ts'

export interface MongooseServiceOptions extends AdapterServiceOptions {
  Model: Model<any>
  /** What external (client) queries may use. Default: nothing but paging. */
  query?: QuerySchema
  /** Allow clients to send `_id` on create (default false). */
  allowClientIds?: boolean
  /**
   * Multi create/patch/remove for external calls (default: none). `multi` still governs internal
   * calls: a client must never be able to mass-patch or mass-delete unless a service opts in.
   */
  externalMulti?: boolean | readonly string[]
}

export type MongooseServiceParams = MasterstageParams &
  AdapterParams & {
    /** Internal calls only (no provider): also select secret fields, e.g. a password hash for login. */
    selectSecrets?: boolean
    /**
     * Conditions set by server code only (e.g. the access policy's `own` rule: `{ ownerId: <user id> }`),
     * ANDed onto every query: client conditions on the same field can only narrow it. Transports never fill
     * params from client input, so the field needs no place in the service's query schema.
     */
    scopeFilter?: Record<string, unknown>
  }

type Result = Record<string, any>

export class MongooseService<
  R extends Result = Result,
  D = Partial<R>,
  P extends MongooseServiceParams = MongooseServiceParams,
  PD = Partial<D>
> extends AdapterBase<R, D, PD, P, MongooseServiceOptions, Id> {
  constructor(options: MongooseServiceOptions) {
    super({ id: '_id', ...options })
  }

  get Model(): Model<any> {
    return this.options.Model
  }

  get secretPaths(): readonly string[] {
    return secretPathsOf(this.Model.schema)
  }

  // --- public methods (what Feathers exposes) -------------------------------------------------

  async find(params?: P & { paginate?: false }): Promise<R[] | Paginated<R>> {
    return this._find(params)
  }

  async get(id: Id, params?: P): Promise<R> {
    return this._get(id, params)
  }

  async create(data: D | D[], params?: P): Promise<R | R[]> {
    return this._create(data as any, params)
  }

  async update(id: Id, data: D, params?: P): Promise<R> {
    return this._update(id, data, params)
  }

  async patch(id: NullableId, data: PD, params?: P): Promise<R | R[]> {
    return this._patch(id as any, data, params)
  }

  async remove(id: NullableId, params?: P): Promise<R | R[]> {
    return this._remove(id as any, params)
  }

  /** Multi is allowed if `multi` allows it and, for client calls, `externalMulti` too. */
  protected allowsMultiFor(method: string, params?: P): boolean {
    if (!this.allowsMulti(method, params)) return false
    if (!params?.provider) return true
    const external = this.options.externalMulti ?? false
    return external === true || (Array.isArray(external) && external.includes(method))
  }

  protected refuseMulti(method: string): never {
    throw new MethodNotAllowed(`Multiple records at once (${method}) are not allowed here`, {
      code: ErrorCode.METHOD_NOT_ALLOWED
    })
  }

  // --- query preparation ----------------------------------------------------------------------

  /** Validates external queries against the closed schema, then translates. */
  protected prepare(params: P | undefined, withPaging: boolean): TranslatedQuery {
    const query = (params?.query ?? {}) as Record<string, unknown>
    const schema = this.options.query ?? CLOSED_QUERY
    if (params?.provider) assertQueryAllowed(query, schema, { secretPaths: this.secretPaths })
    const { paginate } = this.getOptions(params ?? ({} as P))
    const maxLimits = [paginate ? paginate.max : undefined, schema.maxLimit].filter(
      (n): n is number => typeof n === 'number'
    )
    const translated = translateQuery(query, {
      defaultLimit: withPaging && paginate ? paginate.default : undefined,
      maxLimit: maxLimits.length > 0 ? Math.min(...maxLimits) : undefined
    })
    if (params?.scopeFilter) translated.filter = withScopeFilter(translated.filter, params.scopeFilter)
    return translated
  }

  protected projection(select: string[] | undefined, params?: P): string | undefined {
    const secrets =
      params?.selectSecrets && !params.provider ? this.secretPaths.map((path) => `+${path}`) : []
    if (!select) return secrets.length > 0 ? secrets.join(' ') : undefined
    return [...new Set([this.id, ...select])].join(' ')
  }

  protected clean(record: any, params?: P, populate: string[] = []): R {
    if (record == null) return record
    const plain = typeof record.toObject === 'function' ? record.toObject({ depopulate: false }) : record
    for (const path of populate) this.stripPopulated(plain, path)
    if (params?.selectSecrets && !params.provider) return plain
    return stripSecretFields(this.Model.schema, plain)
  }

  private stripPopulated(record: any, path: string): void {
    const schemaType: any = this.Model.schema.path(path)
    const ref =
      schemaType?.options?.ref ?? schemaType?.caster?.options?.ref ?? schemaType?.options?.type?.[0]?.ref
    const refModel = typeof ref === 'string' ? this.Model.db.models[ref] : ref?.schema ? ref : undefined
    const value = record?.[path]
    if (!refModel || value == null) return
    for (const item of (Array.isArray(value) ? value : [value]) as any[]) {
      if (item && typeof item === 'object' && !(item instanceof mongoose.Types.ObjectId))
        stripSecretFields(refModel.schema, item)
    }
  }

  /** An id that can never match (malformed ObjectId) is a 404, not a 400 or 500. */
  protected assertIdShape(id: Id): void {
    const idType = (this.Model.schema.path(this.id) as any)?.instance
    if (
      idType === 'ObjectId' &&
      !((id as unknown) instanceof mongoose.Types.ObjectId) &&
      !/^[0-9a-fA-F]{24}$/.test(String(id))
    ) {
      throw notFound(`No record found for id '${String(id)}'`)
    }
  }

  /**
   * The filter mongoose would send for a plain get (id cast by the schema, tenant scope ANDed as the tenant
   * plugin's read hook does), or undefined when this call must take mongoose's path.
   */
  private fastGetFilter(id: Id, q: TranslatedQuery, params?: P): Record<string, unknown> | undefined {
    const paths = fastPathsOf(this.Model)
    if (!paths.getById || q.select || q.populate.length > 0 || Object.keys(q.filter).length > 0) return
    if (params?.selectSecrets || inMongooseTransactionContext(this.Model)) return
    let castId: unknown
    try {
      castId = (this.Model.schema.path(this.id) as any).castForQuery(null, id)
    } catch {
      return // mongoose's path reports the cast error exactly as before
    }
    const filter: Record<string, unknown> = { [this.id]: castId }
    const scope = isTenantScopedSchema(this.Model.schema)
      ? scopedReadFilter(this.Model.modelName, 'findOne')
      : undefined
    return scope ? { ...filter, ...scope } : filter
  }

  /**
   * The filter mongoose would send for a find of scalar equality conditions on schema paths (each value cast
   * by its path, tenant scope added as the plugin's read hook does), or undefined for mongoose's path:
   * operators, arrays, objects, unknown paths (strictQuery errors) and a client tenantId condition.
   */
  private fastFindFilter(q: TranslatedQuery, params?: P): Record<string, unknown> | undefined {
    if (!fastPathsOf(this.Model).find || q.select || q.populate.length > 0) return
    if (params?.selectSecrets || inMongooseTransactionContext(this.Model)) return
    const schema = this.Model.schema
    const filter: Record<string, unknown> = {}
    for (const key of Object.keys(q.filter)) {
      const value = q.filter[key]
      if (key === TENANT_FIELD || key.startsWith('$') || value == null) return
      if (typeof value === 'object' && !(value instanceof Date)) return
      const type = schema.path(key) as any
      if (!type || type.instance === 'Array' || type.instance === 'Mixed') return
      try {
        filter[key] = type.castForQuery(null, value)
      } catch {
        return // mongoose's path reports the cast error exactly as before
      }
    }
    const scope = isTenantScopedSchema(schema) ? scopedReadFilter(this.Model.modelName, 'find') : undefined
    return scope ? { ...filter, ...scope } : filter
  }

  private canInsertDirectly(): boolean {
    return fastPathsOf(this.Model).insertOne && !inMongooseTransactionContext(this.Model)
  }

  /**
   * save() of a validated new document without the save pipeline: the tenant stamp/check of the plugin's
   * save hook, then insertOne of the document save would send. Returns that document (the stored shape).
   */
  private async insertValidated(doc: mongoose.Document): Promise<Record<string, unknown>> {
    if (isTenantScopedSchema(this.Model.schema)) stampNewDocument(doc)
    const stored = doc.toObject(SAVE_TO_OBJECT_OPTIONS as any) as Record<string, unknown>
    if (stored._id === undefined) throw new mongoose.Error('document must have an _id before saving')
    const { versionKey } = fastPathsOf(this.Model)
    if (versionKey) stored[versionKey] = 0
    await this.Model.collection.insertOne(stored)
    return { ...stored }
  }

  protected async run<T>(operation: () => Promise<T>, context: MapErrorContext = {}): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      throw mapDataError(error, context)
    }
  }

  // --- internal methods -------------------------------------------------------------------------

  async _find(params?: P & { paginate?: any }): Promise<any> {
    const { paginate } = this.getOptions(params ?? ({} as P))
    const q = this.prepare(params, true)
    const fast = this.fastFindFilter(q, params)
    const runQuery = async () => {
      if (q.limit === 0) return []
      if (fast) {
        const options: Record<string, unknown> = { projection: fastPathsOf(this.Model).projection }
        if (q.sort) options.sort = q.sort
        if (q.skip) options.skip = q.skip
        if (q.limit !== undefined) options.limit = q.limit
        const records = await this.Model.collection.find(fast, options).toArray()
        return records.map((record: any) => this.clean(record, params))
      }
      const query = this.Model.find(q.filter, this.projection(q.select, params))
      if (q.sort) query.sort(q.sort)
      if (q.skip) query.skip(q.skip)
      if (q.limit !== undefined) query.limit(q.limit)
      for (const path of q.populate) query.populate(path)
      const records = await query.lean()
      return records.map((record: any) => this.clean(record, params, q.populate))
    }
    if (!paginate) return this.run(runQuery, { inQuery: true })
    const [data, total] = await this.run(
      () => Promise.all([runQuery(), this.Model.countDocuments(q.filter)]),
      { inQuery: true }
    )
    return { total, limit: q.limit ?? total, skip: q.skip, data }
  }

  async _get(id: Id, params?: P): Promise<R> {
    this.assertIdShape(id)
    const q = this.prepare(params, false)
    const fast = this.fastGetFilter(id, q, params)
    const record = await this.run(
      async () => {
        if (fast)
          return this.Model.collection.findOne(fast, { projection: fastPathsOf(this.Model).projection })
        const query = this.Model.findOne({ ...q.filter, [this.id]: id }, this.projection(q.select, params))
        for (const path of q.populate) query.populate(path)
        return query.lean()
      },
      { byId: true, id, inQuery: true }
    )
    if (!record) throw notFound(`No record found for id '${String(id)}'`)
    return this.clean(record, params, q.populate)
  }

  async _create(data: D, params?: P): Promise<R>
  async _create(data: D[], params?: P): Promise<R[]>
  async _create(data: D | D[], params?: P): Promise<R | R[]>
  async _create(data: D | D[], params?: P): Promise<R | R[]> {
    if (Array.isArray(data) && !this.allowsMultiFor('create', params)) this.refuseMulti('create')
    if (params?.provider) {
      assertClientData(data, 'create', { allowClientIds: this.options.allowClientIds })
    }
    const { select } = this.prepare(params, false)
    const items = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[]
    const created = await this.run(
      async () => {
        const docs = items.map((item) => new this.Model(item))
        await validateAll(docs)
        if (docs.length === 1 && this.canInsertDirectly()) return [await this.insertValidated(docs[0])]
        // validateAll just validated (tenant stamped in pre('validate')); save's pre hook re-checks the tenant.
        if (docs.length === 1) return [await docs[0].save({ validateBeforeSave: false })]
        return this.Model.insertMany(docs, { ordered: true })
      },
      { inQuery: false }
    )
    // A create never returns secrets (what it stored is also the `created` event's payload), whichever
    // path stored it; selectSecrets is for reads.
    const cleanParams = params?.selectSecrets ? { ...params, selectSecrets: false } : params
    const results = created.map(
      (doc: any) => pickSelected(this.clean(doc, cleanParams), select, this.id) as R
    )
    return Array.isArray(data) ? results : results[0]
  }

  async _update(id: Id, data: D, params?: P): Promise<R> {
    this.assertIdShape(id)
    if (params?.provider) assertClientData(data, 'update', {}, id)
    const q = this.prepare(params, false)
    const updated = await this.run(
      async () => {
        const doc = await this.Model.findOne({ ...q.filter, [this.id]: id })
        if (!doc) return null
        // A full replacement keeps identity and ownership; everything else is the new data.
        const kept: Record<string, unknown> = { [this.id]: doc.get(this.id) }
        if (this.Model.schema.path(TENANT_FIELD)) kept[TENANT_FIELD] = doc.get(TENANT_FIELD)
        doc.overwrite({ ...(data as Record<string, unknown>), ...kept })
        return doc.save()
      },
      { byId: true, id, inQuery: false }
    )
    if (!updated) throw notFound(`No record found for id '${String(id)}'`)
    return pickSelected(this.clean(updated, params), q.select, this.id) as R
  }

  async _patch(id: null, data: PD, params?: P): Promise<R[]>
  async _patch(id: Id, data: PD, params?: P): Promise<R>
  async _patch(id: NullableId, data: PD, params?: P): Promise<R | R[]>
  async _patch(id: NullableId, data: PD, params?: P): Promise<R | R[]> {
    if (id === null && !this.allowsMultiFor('patch', params)) this.refuseMulti('patch')
    if (id !== null) this.assertIdShape(id)
    if (params?.provider) assertClientData(data, 'patch', {}, id)
    const q = this.prepare(params, false)
    const update = { $set: { ...(data as Record<string, unknown>) } }
    delete (update.$set as Record<string, unknown>)[this.id]
    const options = { runValidators: true, strict: 'throw' as const }
    if (id !== null) {
      const patched = await this.run(
        () =>
          this.Model.findOneAndUpdate({ ...q.filter, [this.id]: id }, update, {
            ...options,
            returnDocument: 'after',
            projection: this.projection(q.select, params)
          }).lean(),
        { byId: true, id, inQuery: false }
      )
      if (!patched) throw notFound(`No record found for id '${String(id)}'`)
      return this.clean(patched, params)
    }
    return this.run(
      async () => {
        const ids = (await this.Model.find(q.filter, { [this.id]: 1 }).lean()).map(
          (record: any) => record[this.id]
        )
        if (ids.length === 0) return []
        const byIds = { [this.id]: mongoose.trusted({ $in: ids }) }
        await this.Model.updateMany(byIds, update, options)
        const records = await this.Model.find(byIds, this.projection(q.select, params)).lean()
        return records.map((record: any) => this.clean(record, params))
      },
      { inQuery: false }
    )
  }

  async _remove(id: null, params?: P): Promise<R[]>
  async _remove(id: Id, params?: P): Promise<R>
  async _remove(id: NullableId, params?: P): Promise<R | R[]>
  async _remove(id: NullableId, params?: P): Promise<R | R[]> {
    if (id === null && !this.allowsMultiFor('remove', params)) this.refuseMulti('remove')
    const q = this.prepare(params, false)
    if (id !== null) {
      this.assertIdShape(id)
      const removed = await this.run(
        () =>
          this.Model.findOneAndDelete(
            { ...q.filter, [this.id]: id },
            { projection: this.projection(q.select, params) }
          ).lean(),
        { byId: true, id, inQuery: true }
      )
      if (!removed) throw notFound(`No record found for id '${String(id)}'`)
      return this.clean(removed, params)
    }
    return this.run(
      async () => {
        const records = await this.Model.find(q.filter, this.projection(q.select, params)).lean()
        if (records.length === 0) return []
        await this.Model.deleteMany({
          [this.id]: mongoose.trusted({ $in: records.map((r: any) => r[this.id]) })
        })
        return records.map((record: any) => this.clean(record, params))
      },
      { inQuery: true }
    )
  }
}

/** Both must hold: a client condition on a scoped field can narrow further, never replace the scope. */
function withScopeFilter(filter: Record<string, unknown>, scope: Record<string, unknown>) {
  const overlaps = Object.keys(scope).some((key) => key in filter)
  return overlaps ? { $and: [filter, scope] } : { ...filter, ...scope }
}

/** Validates every document before anything is written, so one bad item in a batch loses nothing. */
async function validateAll(docs: mongoose.Document[]): Promise<void> {
  const failures = await Promise.all(
    docs.map((doc) =>
      doc.validate().then(
        () => null,
        (error: unknown) => error
      )
    )
  )
  const errors: Record<string, unknown> = {}
  let first: any
  failures.forEach((failure: any, index) => {
    if (!failure) return
    first ??= failure
    if (failure instanceof mongoose.Error.ValidationError && docs.length > 1) {
      for (const [path, error] of Object.entries(failure.errors)) {
        ;(error as any).path = `${index}.${path}`
        errors[`${index}.${path}`] = error
      }
    }
  })
  if (!first) return
  if (docs.length > 1 && first instanceof mongoose.Error.ValidationError) {
    first.errors = errors as any
  }
  throw first
}
