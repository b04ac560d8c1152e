// Namespace commands: create, drop, listCollections, listDatabases, dropDatabase, collStats, dbStats.
import { BSON, type Document, UUID } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { runPipeline } from '../exec/query.ts'
import { validateCollectionName } from '../exec/writer.ts'
import { type CommandContext, type CommandSpec, collectionArg, docArg, rejectCollation } from './context.ts'

const REFUSED_CREATE_OPTIONS = [
  'capped',
  'viewOn',
  'pipeline',
  'timeseries',
  'clusteredIndex',
  'validator',
  'changeStreamPreAndPostImages',
  'encryptedFields'
]

async function create(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx)
  validateCollectionName(ctx.db, name)
  for (const option of REFUSED_CREATE_OPTIONS) {
    if (ctx.cmd[option])
      throw commandError(ErrorCodes.NotImplemented, `create.${option} is not supported by the embedded devdb`)
  }
  rejectCollation(ctx, ctx.cmd.collation)
  if (ctx.engine.catalog.collection(ctx.db, name))
    throw commandError(ErrorCodes.NamespaceExists, `Collection ${ctx.db}.${name} already exists.`)
  ctx.writer.persist([{ op: 'createCollection', db: ctx.db, coll: name, options: {}, uuid: new UUID() }])
  await ctx.writer.flush()
  return { ok: 1 }
}

async function drop(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx)
  const coll = ctx.engine.catalog.collection(ctx.db, name)
  if (!coll) return { ok: 1 }
  const nIndexesWas = coll.indexes.size
  ctx.writer.persist([{ op: 'dropCollection', db: ctx.db, coll: name }])
  await ctx.writer.flush()
  return { nIndexesWas, ns: coll.ns, ok: 1 }
}

async function dropDatabase(ctx: CommandContext): Promise<Document> {
  if (ctx.engine.catalog.databases.has(ctx.db)) {
    ctx.writer.persist([{ op: 'dropDatabase', db: ctx.db }])
    await ctx.writer.flush()
  }
  return { dropped: ctx.db, ok: 1 }
}

function listCollections(ctx: CommandContext): Document {
  const filter = docArg(ctx, 'filter', {})
  const nameOnly = ctx.cmd.nameOnly === true
  let docs: Document[] = [...ctx.engine.catalog.collections(ctx.db).values()].map((c) =>
    nameOnly
      ? { name: c.name, type: 'collection' }
      : {
          name: c.name,
          type: 'collection',
          options: { ...c.options },
          info: { readOnly: false, uuid: c.uuid },
          idIndex: { v: 2, key: { _id: 1 }, name: '_id_' }
        }
  )
  if (Object.keys(filter).length > 0) docs = runPipeline(docs, [{ $match: filter }], {})
  const batchSize = Number((ctx.cmd.cursor as Document | undefined)?.batchSize ?? 101)
  return ctx.engine.cursors.open(`${ctx.db}.$cmd.listCollections`, docs, batchSize, ctx.session?.id ?? null)
}

function sizeOf(ctx: CommandContext, db: string): number {
  let size = 0
  for (const c of ctx.engine.catalog.collections(db).values())
    for (const d of c.docs.values()) size += BSON.calculateObjectSize(d)
  return size
}

function listDatabases(ctx: CommandContext): Document {
  if (ctx.db !== 'admin')
    throw commandError(ErrorCodes.Unauthorized, 'listDatabases may only be run against the admin database.')
  const filter = docArg(ctx, 'filter', {})
  let databases: Document[] = [...ctx.engine.catalog.databases.keys()].map((name) =>
    ctx.cmd.nameOnly
      ? { name }
      : { name, sizeOnDisk: sizeOf(ctx, name), empty: ctx.engine.catalog.collections(name).size === 0 }
  )
  if (Object.keys(filter).length > 0) databases = runPipeline(databases, [{ $match: filter }], {})
  const totalSize = databases.reduce((sum, d) => sum + Number(d.sizeOnDisk ?? 0), 0)
  return ctx.cmd.nameOnly
    ? { databases, ok: 1 }
    : { databases, totalSize, totalSizeMb: Math.round(totalSize / 1e6), ok: 1 }
}

function collStats(ctx: CommandContext): Document {
  const name = collectionArg(ctx)
  const coll = ctx.engine.catalog.collection(ctx.db, name)
  if (!coll) throw commandError(ErrorCodes.NamespaceNotFound, `Collection [${ctx.db}.${name}] not found.`)
  let size = 0
  for (const d of coll.docs.values()) size += BSON.calculateObjectSize(d)
  return {
    ns: coll.ns,
    count: coll.docs.size,
    size,
    storageSize: size,
    nindexes: coll.indexes.size,
    capped: false,
    ok: 1
  }
}

function dbStats(ctx: CommandContext): Document {
  const size = sizeOf(ctx, ctx.db)
  return { ...ctx.engine.dbStatsDoc(ctx.db), dataSize: size, storageSize: size, ok: 1 }
}

function validateCollation(ctx: CommandContext): void {
  rejectCollation(ctx, ctx.cmd.collation)
}

export const collectionCommands: Record<string, CommandSpec> = {
  create: {
    run: (ctx) => {
      validateCollation(ctx)
      return create(ctx)
    },
    fields: [
      'size',
      'max',
      'validationLevel',
      'validationAction',
      'storageEngine',
      'indexOptionDefaults',
      'expireAfterSeconds',
      'collation',
      ...REFUSED_CREATE_OPTIONS
    ],
    inTransaction: true
  },
  drop: { run: drop, fields: [] },
  dropDatabase: { run: dropDatabase, fields: [] },
  listCollections: {
    run: listCollections,
    fields: ['filter', 'nameOnly', 'authorizedCollections', 'cursor']
  },
  listDatabases: { run: listDatabases, fields: ['filter', 'nameOnly', 'authorizedDatabases'] },
  collStats: { run: collStats, fields: ['scale'] },
  dbStats: { run: dbStats, fields: ['scale', 'freeStorage'] }
}
