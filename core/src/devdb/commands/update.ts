// update: per-statement filter/update with upsert, multi, arrayFilters and pipeline updates.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { matchEntries } from '../exec/query.ts'
import { applyUpdate, validateUpdate } from '../exec/update-doc.ts'
import { buildUpsert } from '../exec/upsert-doc.ts'
import { encodeKey } from '../storage/key-encoding.ts'
import {
  type CommandContext,
  type CommandSpec,
  collectionArg,
  objectOrThrow,
  rejectCollation
} from './context.ts'
import { prepareInsert } from './insert.ts'
import { arrayArg, statementError } from './write-errors.ts'

const STATEMENT_FIELDS = new Set([
  'q',
  'u',
  'upsert',
  'multi',
  'arrayFilters',
  'hint',
  'collation',
  'c',
  'sort',
  'upsertSupplied'
])

interface Outcome {
  n: number
  nModified: number
  upserted?: unknown
}

// Runs one update statement; shared by update and (with a single doc) findAndModify-like callers.
async function runStatement(ctx: CommandContext, name: string, stmt: Document): Promise<Outcome> {
  for (const key of Object.keys(stmt)) {
    if (!STATEMENT_FIELDS.has(key))
      throw commandError(ErrorCodes.UnknownField, `BSON field 'update.updates.${key}' is an unknown field.`)
  }
  const filter = objectOrThrow(stmt.q ?? {}, 'update.updates.q')
  const update = validateUpdate(stmt.u)
  rejectCollation(ctx, stmt.collation)
  const multi = stmt.multi === true
  if (
    multi &&
    !Array.isArray(update) &&
    Object.keys(update).length > 0 &&
    !Object.keys(update)[0].startsWith('$')
  ) {
    throw commandError(ErrorCodes.FailedToParse, 'multi update is not supported for replacement-style update')
  }
  const arrayFilters = stmt.arrayFilters as Document[] | undefined
  const variables = ctx.cmd.let as Document | undefined
  for (;;) {
    const coll = ctx.writer.collection(ctx.db, name)
    const matches = matchEntries(
      coll,
      filter,
      ctx.txn,
      multi ? { sort: stmt.sort } : { limit: 1, sort: stmt.sort }
    )
    const wait = ctx.writer.blockedBy(
      coll,
      matches.map((m) => m[0])
    )
    if (wait) {
      await wait
      continue
    }
    if (matches.length === 0) {
      if (stmt.upsert !== true) return { n: 0, nModified: 0 }
      const doc = prepareInsert(buildUpsert(filter, update, arrayFilters, variables))
      const upsertWait = ctx.writer.blockedBy(coll, [encodeKey(doc._id)], doc)
      if (upsertWait) {
        await upsertWait
        continue
      }
      ctx.writer.insert(coll, doc)
      return { n: 1, nModified: 0, upserted: doc._id }
    }
    let nModified = 0
    for (const [docKey, doc] of matches) {
      const next = applyUpdate(doc, update, { arrayFilters, filter, inserting: false, variables })
      if (!next) continue
      ctx.writer.replace(coll, docKey, next)
      nModified++
    }
    return { n: matches.length, nModified }
  }
}

async function update(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx)
  const statements = arrayArg(ctx.cmd.updates, 'update.updates')
  const ordered = ctx.cmd.ordered !== false
  const writeErrors: Document[] = []
  const upserted: Document[] = []
  let n = 0
  let nModified = 0
  for (let i = 0; i < statements.length; i++) {
    try {
      const outcome = await runStatement(ctx, name, objectOrThrow(statements[i], 'update.updates'))
      n += outcome.n
      nModified += outcome.nModified
      if (outcome.upserted !== undefined) upserted.push({ index: i, _id: outcome.upserted })
    } catch (err) {
      writeErrors.push(statementError(err, i))
      if (ordered) break
    }
  }
  await ctx.writer.flush()
  const reply: Document = { n, nModified }
  if (upserted.length > 0) reply.upserted = upserted
  if (writeErrors.length > 0) reply.writeErrors = writeErrors
  reply.ok = 1
  return reply
}

export const updateCommands: Record<string, CommandSpec> = {
  update: {
    run: update,
    fields: ['updates', 'ordered', 'bypassDocumentValidation', 'let'],
    inTransaction: true,
    retryableWrite: true
  }
}
