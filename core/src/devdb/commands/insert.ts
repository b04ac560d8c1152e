// insert: documents (possibly sent as an OP_MSG document sequence), ordered/unordered with per-document errors.
import { type Document, ObjectId } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { encodeKey } from '../storage/key-encoding.ts'
import { type CommandContext, type CommandSpec, collectionArg } from './context.ts'
import { arrayArg, statementError } from './write-errors.ts'

export function prepareInsert(doc: Document): Document {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw commandError(ErrorCodes.TypeMismatch, 'insert document must be an object')
  let first: string | undefined
  for (const key in doc) {
    first ??= key
    if (key.charCodeAt(0) === 36)
      throw commandError(ErrorCodes.BadValue, `Document can't have $ prefixed field names: ${key}`)
  }
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc }
  if (Array.isArray(doc._id)) throw commandError(ErrorCodes.BadValue, `can't use an array for _id`)
  if (doc._id instanceof RegExp) throw commandError(ErrorCodes.BadValue, `can't use a regex for _id`)
  if (first === '_id') return doc
  const { _id, ...rest } = doc
  return { _id, ...rest }
}

async function insert(ctx: CommandContext): Promise<Document> {
  const name = collectionArg(ctx)
  const docs = arrayArg(ctx.cmd.documents, 'insert.documents')
  const ordered = ctx.cmd.ordered !== false
  const writeErrors: Document[] = []
  let n = 0
  for (let i = 0; i < docs.length; i++) {
    try {
      const doc = prepareInsert(docs[i])
      let coll = ctx.writer.collection(ctx.db, name)
      for (
        let wait = ctx.writer.blockedBy(coll, [encodeKey(doc._id)], doc);
        wait;
        wait = ctx.writer.blockedBy(coll, [encodeKey(doc._id)], doc)
      ) {
        await wait
        coll = ctx.writer.collection(ctx.db, name)
      }
      ctx.writer.insert(coll, doc)
      n++
    } catch (err) {
      writeErrors.push(statementError(err, i))
      if (ordered) break
    }
  }
  await ctx.writer.flush()
  return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 }
}

export const insertCommands: Record<string, CommandSpec> = {
  insert: {
    run: insert,
    fields: ['documents', 'ordered', 'bypassDocumentValidation'],
    inTransaction: true,
    retryableWrite: true
  }
}
