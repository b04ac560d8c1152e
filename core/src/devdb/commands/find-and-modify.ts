// findAndModify: atomic find + update/replace/remove of one document, returning the before or after image.
import type { Document } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { matchEntries, project } from '../exec/query.ts'
import { applyUpdate, validateUpdate } from '../exec/update-doc.ts'
import { buildUpsert } from '../exec/upsert-doc.ts'
import { encodeKey } from '../storage/key-encoding.ts'
import { type CommandContext, type CommandSpec, collectionArg, docArg, rejectCollation } from './context.ts'
import { prepareInsert } from './insert.ts'

async function findAndModify(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx, ctx.name)
  const query = docArg(ctx, 'query', {})
  const sort = docArg(ctx, 'sort', {})
  const fields = docArg(ctx, 'fields', {})
  rejectCollation(ctx, ctx.cmd.collation)
  const remove = ctx.cmd.remove === true
  const hasUpdate = ctx.cmd.update !== undefined
  if (remove && hasUpdate)
    throw commandError(ErrorCodes.FailedToParse, 'Cannot specify both an update and remove=true')
  if (!remove && !hasUpdate)
    throw commandError(ErrorCodes.FailedToParse, 'Either an update or remove=true must be specified')
  if (remove && ctx.cmd.upsert)
    throw commandError(ErrorCodes.FailedToParse, 'Cannot specify both upsert=true and remove=true')
  if (remove && ctx.cmd.new)
    throw commandError(
      ErrorCodes.FailedToParse,
      "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document"
    )
  const update = hasUpdate ? validateUpdate(ctx.cmd.update) : null
  const arrayFilters = ctx.cmd.arrayFilters as Document[] | undefined
  const variables = ctx.cmd.let as Document | undefined
  const shape = (doc: Document | null) => (doc ? project([doc], query, fields)[0] : null)
  for (;;) {
    const coll = ctx.writer.collection(ctx.db, name)
    const [match] = matchEntries(coll, query, ctx.txn, { sort, limit: 1 })
    const wait = ctx.writer.blockedBy(coll, match ? [match[0]] : [])
    if (wait) {
      await wait
      continue
    }
    if (!match) {
      if (!update || ctx.cmd.upsert !== true)
        return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 }
      const doc = prepareInsert(buildUpsert(query, update, arrayFilters, variables))
      const upsertWait = ctx.writer.blockedBy(coll, [encodeKey(doc._id)], doc)
      if (upsertWait) {
        await upsertWait
        continue
      }
      ctx.writer.insert(coll, doc)
      await ctx.writer.flush()
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
        value: ctx.cmd.new ? shape(doc) : null,
        ok: 1
      }
    }
    const [docKey, doc] = match
    if (remove) {
      ctx.writer.remove(coll, docKey, doc)
      await ctx.writer.flush()
      return { lastErrorObject: { n: 1 }, value: shape(doc), ok: 1 }
    }
    const next = applyUpdate(doc, update!, { arrayFilters, filter: query, inserting: false, variables })
    if (next) ctx.writer.replace(coll, docKey, next)
    await ctx.writer.flush()
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: shape(ctx.cmd.new ? (next ?? doc) : doc),
      ok: 1
    }
  }
}

const spec: CommandSpec = {
  run: findAndModify,
  fields: [
    'query',
    'sort',
    'remove',
    'update',
    'new',
    'fields',
    'upsert',
    'bypassDocumentValidation',
    'collation',
    'arrayFilters',
    'hint',
    'let'
  ],
  inTransaction: true,
  retryableWrite: true
}

export const findAndModifyCommands: Record<string, CommandSpec> = { findAndModify: spec, findandmodify: spec }
