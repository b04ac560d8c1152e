// find with cursors, plus getMore and killCursors.
import { type Document, Long } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { checkHint, matchEntries, newStats, project } from '../exec/query.ts'
import type { ScanStats } from '../storage/collection.ts'
import {
  type CommandContext,
  type CommandSpec,
  collectionArg,
  docArg,
  numberArg,
  rejectCollation
} from './context.ts'

const UNSUPPORTED_TRUTHY = ['tailable', 'awaitData', 'returnKey', 'showRecordId', 'min', 'max', 'oplogReplay']

export interface FindResult {
  docs: Document[]
  stats: ScanStats
}

export function executeFind(ctx: CommandContext, stats = newStats()): FindResult {
  const name = collectionArg(ctx, 'find')
  for (const field of UNSUPPORTED_TRUTHY) {
    if (ctx.cmd[field])
      throw commandError(ErrorCodes.NotImplemented, `find.${field} is not supported by the embedded devdb`)
  }
  rejectCollation(ctx, ctx.cmd.collation)
  const filter = docArg(ctx, 'filter', {})
  const sort = docArg(ctx, 'sort', {})
  const projection = docArg(ctx, 'projection', {})
  const skip = numberArg(ctx, 'skip', 0)
  const limit = numberArg(ctx, 'limit', 0)
  const coll = ctx.engine.catalog.collection(ctx.db, name)
  checkHint(coll, ctx.cmd.hint)
  const entries = matchEntries(coll, filter, ctx.txn, { sort, skip, limit: limit || undefined }, stats)
  return {
    docs: project(
      entries.map((e) => e[1]),
      filter,
      projection
    ),
    stats
  }
}

function find(ctx: CommandContext): Document {
  const { docs } = executeFind(ctx)
  const batchSize = numberArg(ctx, 'batchSize', 101)
  const ns = `${ctx.db}.${collectionArg(ctx, 'find')}`
  return ctx.engine.cursors.open(ns, docs, batchSize, ctx.session?.id ?? null, ctx.cmd.singleBatch === true)
}

function getMore(ctx: CommandContext): Document {
  const id = ctx.cmd.getMore
  if (!(id instanceof Long) && typeof id !== 'number') {
    throw commandError(
      ErrorCodes.TypeMismatch,
      "BSON field 'getMore.getMore' is the wrong type, expected type 'long'"
    )
  }
  const cursor = ctx.engine.cursors.get(id)
  if (!cursor) throw commandError(ErrorCodes.CursorNotFound, `cursor id ${id.toString()} not found`)
  const ns = `${ctx.db}.${collectionArg(ctx, 'collection')}`
  if (cursor.ns !== ns) {
    throw commandError(
      ErrorCodes.Unauthorized,
      `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`
    )
  }
  return ctx.engine.cursors.next(cursor, numberArg(ctx, 'batchSize', 0))
}

function killCursors(ctx: CommandContext): Document {
  collectionArg(ctx)
  const ids = ctx.cmd.cursors
  if (!Array.isArray(ids))
    throw commandError(ErrorCodes.TypeMismatch, "BSON field 'killCursors.cursors' is missing or not an array")
  const killed: Long[] = []
  const notFound: Long[] = []
  for (const id of ids) (ctx.engine.cursors.kill(id) ? killed : notFound).push(id)
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 }
}

export const findCommands: Record<string, CommandSpec> = {
  find: {
    run: find,
    fields: [
      'filter',
      'sort',
      'projection',
      'hint',
      'skip',
      'limit',
      'batchSize',
      'singleBatch',
      'noCursorTimeout',
      'allowPartialResults',
      'allowDiskUse',
      'collation',
      'let',
      ...UNSUPPORTED_TRUTHY
    ],
    inTransaction: true
  },
  getMore: { run: getMore, fields: ['collection', 'batchSize'], inTransaction: true },
  killCursors: { run: killCursors, fields: ['cursors'], inTransaction: true }
}
