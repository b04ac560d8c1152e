// count (estimatedDocumentCount and legacy count) and distinct.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { checkHint, matchEntries } from '../exec/query.ts'
import { pathValues } from '../storage/doc-path.ts'
import { encodeKey } from '../storage/key-encoding.ts'
import {
  type CommandContext,
  type CommandSpec,
  collectionArg,
  docArg,
  numberArg,
  rejectCollation
} from './context.ts'

function count(ctx: CommandContext): Document {
  const coll = ctx.engine.catalog.collection(ctx.db, collectionArg(ctx))
  rejectCollation(ctx, ctx.cmd.collation)
  const query = docArg(ctx, 'query', {})
  const skip = numberArg(ctx, 'skip', 0)
  const limit = Math.abs(Number(ctx.cmd.limit ?? 0))
  if (!coll) return { n: 0, ok: 1 }
  checkHint(coll, ctx.cmd.hint)
  if (Object.keys(query).length === 0 && !ctx.txn) {
    const total = Math.max(0, coll.docs.size - skip)
    return { n: limit > 0 ? Math.min(limit, total) : total, ok: 1 }
  }
  return { n: matchEntries(coll, query, ctx.txn, { skip, limit: limit || undefined }).length, ok: 1 }
}

function distinct(ctx: CommandContext): Document {
  const key = ctx.cmd.key
  if (typeof key !== 'string' || key.length === 0)
    throw commandError(ErrorCodes.TypeMismatch, "BSON field 'distinct.key' must be a non-empty string")
  rejectCollation(ctx, ctx.cmd.collation)
  const coll = ctx.engine.catalog.collection(ctx.db, collectionArg(ctx))
  const seen = new Map<string, unknown>()
  for (const [, doc] of matchEntries(coll, docArg(ctx, 'query', {}), ctx.txn, {})) {
    for (const value of pathValues(doc, key)) {
      if (value === undefined) continue
      const k = encodeKey(value)
      if (!seen.has(k)) seen.set(k, value)
    }
  }
  return { values: [...seen.values()], ok: 1 }
}

export const countCommands: Record<string, CommandSpec> = {
  count: { run: count, fields: ['query', 'limit', 'skip', 'hint', 'collation', 'fields'] },
  distinct: { run: distinct, fields: ['key', 'query', 'collation', 'hint'], inTransaction: true }
}
