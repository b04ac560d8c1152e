// Fast paths of the mongoose adapter for the calls every request makes (get by id, create one): the same
// filter, tenant scope, id cast, projection, validation and stored document as mongoose's own path, without
// building a Query or running the save pipeline per call. Taken only for models whose middleware and
// options are exactly what these paths reproduce (the tenant plugin's hooks, mongoose's built-in hooks);
// any other model, or a call inside a mongoose transaction context, takes mongoose's path unchanged.
import type { Model, Schema } from 'mongoose'
import { toObjectOnlyStripsSecrets } from './secret-fields.ts'
import { TENANT_PLUGIN_HOOKS } from './tenant-scoped-plugin.ts'

export interface FastPaths {
  /** `get(id)` without query, $select or $populate: a driver findOne of `{ _id, ...tenant scope }`. */
  getById: boolean
  /** `find` of scalar equality conditions, sort, skip and limit, no $select or $populate: a driver find. */
  find: boolean
  /** `create(one)`: validate (incl. pre('validate')), stamp as save does, insertOne of save's document. */
  insertOne: boolean
  /** `Model.insertLeanOne(doc)` (lean-insert.ts): the tenant stamp, then a driver insertOne. */
  leanInsert: boolean
  /** mongoose's default projection of a query without select (select: false paths excluded). */
  projection?: Record<string, unknown>
  /** The schema's version key, set to 0 on insert as save does. */
  versionKey?: string
}

const NONE: FastPaths = { getById: false, find: false, insertOne: false, leanInsert: false }

// mongoose's own hooks on every schema; each is a no-op for the schemas admitted below (no subdocuments,
// no shard key, no session).
const BUILT_IN_HOOKS = new Set([
  'saveSubdocsPreSave',
  'saveSubdocsPreDeleteOne',
  'saveSubdocsPostSave',
  'saveSubdocsPostDeleteOne',
  'shardingPluginPreSave',
  'shardingPluginPostSave',
  'trackTransactionPreSave'
])
// Path types whose save document is plain BSON-ready data (no subdocuments, maps or custom casting).
const PLAIN_TYPES = new Set([
  'String',
  'Number',
  'Date',
  'Boolean',
  'ObjectId',
  'Decimal128',
  'UUID',
  'Buffer'
])

/** The same object toObject() gets in Model.prototype.$__save for a new document. */
export const SAVE_TO_OBJECT_OPTIONS = {
  transform: false,
  virtuals: false,
  getters: false,
  _skipDepopulateTopLevel: true,
  depopulate: true,
  flattenDecimals: false,
  useProjection: false,
  versionKey: true,
  flattenObjectIds: false,
  flattenUUIDs: false,
  bson: true
}

const CACHE = new WeakMap<Model<any>, FastPaths>()

export function fastPathsOf(Model: Model<any>): FastPaths {
  let paths = CACHE.get(Model)
  if (!paths) {
    paths = compute(Model)
    CACHE.set(Model, paths)
  }
  return paths
}

/** mongoose's transaction context (`transactionAsyncLocalStorage`) puts a session on its calls: not here. */
export function inMongooseTransactionContext(Model: Model<any>): boolean {
  return (Model as any).base?.transactionAsyncLocalStorage?.getStore()?.session != null
}

function compute(Model: Model<any>): FastPaths {
  const schema = Model.schema as Schema & Record<string, any>
  const options = schema.options as Record<string, any>
  const db = Model.db as any
  if ((Model as any).discriminators || schema.discriminatorMapping || (Model as any).baseModelName)
    return NONE
  if (options.read || options.readConcern || options.writeConcern || options.collation || options.shardKey)
    return NONE
  const idType = schema.path('_id') as any
  if (!idType || typeof idType.castForQuery !== 'function') return NONE
  const globals = [db?.options, db?.base?.options]
  if (globals.some((o) => o?.maxTimeMS != null || o?.allowDiskUse != null)) return NONE

  const getById = onlyKnownHooks(schema, 'findOne') && !hasHooks(schema, 'exec')
  const find = onlyKnownHooks(schema, 'find') && !hasHooks(schema, 'exec')
  const versionKey = typeof options.versionKey === 'string' ? options.versionKey : undefined
  const insertOne =
    onlyKnownHooks(schema, 'save') &&
    !options.timestamps &&
    (versionKey === undefined || !versionKey.includes('.')) &&
    schema.childSchemas.length === 0 &&
    !schema._duplicateKeyErrorMessagesByPath &&
    toObjectOnlyStripsSecrets(schema) &&
    plainPaths(schema)
  const leanInsert = onlyKnownHooks(schema, 'insertMany')
  let projection: Record<string, unknown> | undefined
  if (getById || find) {
    try {
      projection = defaultProjection(Model)
    } catch {
      return { getById: false, find: false, insertOne, leanInsert, versionKey }
    }
  }
  return { getById, find, insertOne, leanInsert, projection, versionKey }
}

function hooksOf(schema: any, kind: '_pres' | '_posts', name: string): any[] {
  return schema.s?.hooks?.[kind]?.get?.(name) ?? []
}

function hasHooks(schema: any, name: string): boolean {
  return hooksOf(schema, '_pres', name).length > 0 || hooksOf(schema, '_posts', name).length > 0
}

/** Whether the model's `name` middleware is only the tenant plugin's and mongoose's built-in hooks. */
function onlyKnownHooks(schema: any, name: string): boolean {
  if (!schema.s?.hooks?._pres) return false
  return [...hooksOf(schema, '_pres', name), ...hooksOf(schema, '_posts', name)].every(
    (hook) => TENANT_PLUGIN_HOOKS.has(hook.fn) || BUILT_IN_HOOKS.has(hook.fn?.name)
  )
}

function plainPaths(schema: any): boolean {
  let plain = true
  schema.eachPath((_path: string, type: any) => {
    if (type.instance === 'Array') {
      const caster = type.embeddedSchemaType ?? type.caster
      if (!caster || !PLAIN_TYPES.has(caster.instance)) plain = false
    } else if (!PLAIN_TYPES.has(type.instance)) plain = false
    if (type.options?.get || type.options?.alias) plain = false
  })
  return plain
}

/** Exactly what Query.prototype._optionsForExec puts in `projection` for a findOne without select. */
function defaultProjection(Model: Model<any>): Record<string, unknown> | undefined {
  const query = Model.findOne() as any
  query._applyPaths()
  if (query._fields == null) return undefined
  query._fields = query._castFields(query._fields)
  return query._fieldsForExec() ?? undefined
}
