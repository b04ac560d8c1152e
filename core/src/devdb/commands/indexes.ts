// createIndexes / listIndexes / dropIndexes, with MongoDB's conflict rules for names, keys and options.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import type { Collection } from '../storage/collection.ts'
import type { IndexSpec } from '../storage/index-map.ts'
import { type CommandContext, type CommandSpec, collectionArg } from './context.ts'

const OPTION_FIELDS = new Set([
  'key',
  'name',
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'background',
  'v',
  'hidden',
  'collation'
])
// Options that change how an index behaves; two specs differing here are different indexes.
const SEMANTIC_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds']

function normalizeSpec(raw: unknown): IndexSpec {
  if (!raw || typeof raw !== 'object')
    throw commandError(ErrorCodes.TypeMismatch, 'index specification must be an object')
  const spec = raw as Document
  for (const field of Object.keys(spec)) {
    if (!OPTION_FIELDS.has(field)) {
      throw commandError(
        ErrorCodes.InvalidOptions ?? 72,
        `The field '${field}' is not valid for an index specification (not supported by the embedded devdb). Specification: ${JSON.stringify(spec)}`
      )
    }
  }
  const key = spec.key as Document
  if (!key || typeof key !== 'object' || Object.keys(key).length === 0)
    throw commandError(ErrorCodes.CannotCreateIndex, 'Index keys cannot be empty.')
  for (const [field, dir] of Object.entries(key)) {
    const n = Number(dir)
    if (dir === 'hashed') continue
    if (typeof dir === 'string' || !Number.isFinite(n) || n === 0) {
      throw commandError(
        ErrorCodes.CannotCreateIndex,
        `Index type ${JSON.stringify(dir)} on field '${field}' is not supported by the embedded devdb`
      )
    }
  }
  if (typeof spec.name !== 'string' || spec.name.length === 0)
    throw commandError(ErrorCodes.CannotCreateIndex, 'index name must be a non-empty string')
  if (spec.collation && (spec.collation as Document).locale !== 'simple') {
    throw commandError(ErrorCodes.NotImplemented, 'index collation is not supported by the embedded devdb')
  }
  const out: IndexSpec = { v: 2, key: { ...key }, name: spec.name }
  if (spec.unique) out.unique = true
  if (spec.sparse) out.sparse = true
  if (spec.partialFilterExpression) out.partialFilterExpression = spec.partialFilterExpression as Document
  if (spec.expireAfterSeconds !== undefined) out.expireAfterSeconds = Number(spec.expireAfterSeconds)
  if (spec.hidden) out.hidden = true
  return out
}

function sameKey(a: Document, b: Document): boolean {
  return (
    JSON.stringify(Object.entries(a).map(([k, v]) => [k, Number(v) || v])) ===
    JSON.stringify(Object.entries(b).map(([k, v]) => [k, Number(v) || v]))
  )
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return SEMANTIC_OPTIONS.every((o) => JSON.stringify(a[o] ?? null) === JSON.stringify(b[o] ?? null))
}

// Returns true when the index must be built, false when an identical one exists.
function checkConflicts(coll: Collection, spec: IndexSpec): boolean {
  const byName = coll.indexes.get(spec.name)
  if (byName) {
    if (!sameKey(byName.spec.key, spec.key)) {
      throw commandError(
        ErrorCodes.IndexKeySpecsConflict,
        `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`
      )
    }
    if (!sameOptions(byName.spec, spec)) {
      throw commandError(
        ErrorCodes.IndexOptionsConflict,
        `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`
      )
    }
    return false
  }
  for (const index of coll.indexes.values()) {
    if (sameKey(index.spec.key, spec.key) && sameOptions(index.spec, spec) && !spec.partialFilterExpression) {
      throw commandError(
        ErrorCodes.IndexOptionsConflict,
        `Index already exists with a different name: ${index.spec.name}`
      )
    }
  }
  return true
}

async function createIndexes(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx)
  const raw = ctx.cmd.indexes
  if (!Array.isArray(raw) || raw.length === 0)
    throw commandError(ErrorCodes.BadValue, 'Must specify at least one index to create')
  const specs = raw.map(normalizeSpec)
  const created = !ctx.engine.catalog.collection(ctx.db, name)
  const coll = ctx.writer.collection(ctx.db, name)
  const before = coll.indexes.size
  const toBuild = specs.filter((s) => checkConflicts(coll, s))
  if (toBuild.length > 0)
    ctx.writer.persist(toBuild.map((spec) => ({ op: 'createIndex' as const, db: ctx.db, coll: name, spec })))
  await ctx.writer.flush()
  const reply: Document = {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexes.size,
    createdCollectionAutomatically: created
  }
  if (toBuild.length === 0) reply.note = 'all indexes already exist'
  reply.ok = 1
  return reply
}

function listIndexes(ctx: CommandContext): Document {
  const name = collectionArg(ctx)
  const coll = ctx.engine.catalog.collection(ctx.db, name)
  if (!coll) throw commandError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`)
  const docs = [...coll.indexes.values()].map((i) => ({ ...i.spec }))
  const batchSize = Number((ctx.cmd.cursor as Document | undefined)?.batchSize ?? 101)
  return ctx.engine.cursors.open(`${ctx.db}.${name}`, docs, batchSize, ctx.session?.id ?? null)
}

async function dropIndexes(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx)
  const coll = ctx.engine.catalog.collection(ctx.db, name)
  if (!coll) throw commandError(ErrorCodes.NamespaceNotFound, `ns not found ${ctx.db}.${name}`)
  const target = ctx.cmd.index
  const before = coll.indexes.size
  let names: string[]
  if (target === '*') names = [...coll.indexes.keys()].filter((n) => n !== '_id_')
  else if (typeof target === 'string') names = [target]
  else if (Array.isArray(target)) names = target.map(String)
  else if (target && typeof target === 'object') {
    const match = [...coll.indexes.values()].find((i) => sameKey(i.spec.key, target as Document))
    if (!match)
      throw commandError(ErrorCodes.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`)
    names = [match.spec.name]
  } else
    throw commandError(
      ErrorCodes.TypeMismatch,
      "BSON field 'dropIndexes.index' is missing or has the wrong type"
    )
  for (const n of names) {
    if (n === '_id_') throw commandError(ErrorCodes.InvalidOptions, 'cannot drop _id index')
    if (!coll.indexes.has(n)) throw commandError(ErrorCodes.IndexNotFound, `index not found with name [${n}]`)
  }
  ctx.writer.persist(names.map((n) => ({ op: 'dropIndex' as const, db: ctx.db, coll: name, name: n })))
  await ctx.writer.flush()
  return { nIndexesWas: before, ok: 1 }
}

export const indexCommands: Record<string, CommandSpec> = {
  createIndexes: { run: createIndexes, fields: ['indexes', 'commitQuorum'], inTransaction: true },
  listIndexes: { run: listIndexes, fields: ['cursor'] },
  dropIndexes: { run: dropIndexes, fields: ['index'] },
  deleteIndexes: { run: dropIndexes, fields: ['index'] }
}
