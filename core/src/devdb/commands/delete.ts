// delete: per-statement filter with limit 0 (all) or 1.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { matchEntries } from '../exec/query.ts'
import {
  type CommandContext,
  type CommandSpec,
  collectionArg,
  objectOrThrow,
  rejectCollation
} from './context.ts'
import { arrayArg, statementError } from './write-errors.ts'

const STATEMENT_FIELDS = new Set(['q', 'limit', 'hint', 'collation'])

async function deleteStatement(ctx: CommandContext, name: string, stmt: Document): Promise<number> {
  for (const key of Object.keys(stmt)) {
    if (!STATEMENT_FIELDS.has(key))
      throw commandError(ErrorCodes.UnknownField, `BSON field 'delete.deletes.${key}' is an unknown field.`)
  }
  const filter = objectOrThrow(stmt.q ?? {}, 'delete.deletes.q')
  rejectCollation(ctx, stmt.collation)
  const limit = Number(stmt.limit ?? 0)
  if (limit !== 0 && limit !== 1)
    throw commandError(
      ErrorCodes.FailedToParse,
      `The limit field in delete objects must be 0 or 1. Got ${limit}`
    )
  for (;;) {
    const coll = ctx.engine.catalog.collection(ctx.db, name)
    if (!coll) return 0
    const matches = matchEntries(coll, filter, ctx.txn, limit === 1 ? { limit: 1 } : {})
    const wait = ctx.writer.blockedBy(
      coll,
      matches.map((m) => m[0])
    )
    if (wait) {
      await wait
      continue
    }
    for (const [docKey, doc] of matches) ctx.writer.remove(coll, docKey, doc)
    return matches.length
  }
}

async function remove(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx)
  const statements = arrayArg(ctx.cmd.deletes, 'delete.deletes')
  const ordered = ctx.cmd.ordered !== false
  const writeErrors: Document[] = []
  let n = 0
  for (let i = 0; i < statements.length; i++) {
    try {
      n += await deleteStatement(ctx, name, objectOrThrow(statements[i], 'delete.deletes'))
    } catch (err) {
      writeErrors.push(statementError(err, i))
      if (ordered) break
    }
  }
  await ctx.writer.flush()
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 }
}

export const deleteCommands: Record<string, CommandSpec> = {
  delete: { run: remove, fields: ['deletes', 'ordered', 'let'], inTransaction: true, retryableWrite: true }
}
