// One lean insert of a document the caller built in the schema's shape: what Model.insertMany([doc],
// { lean: true }) stores (no casting, validation, timestamps or version key), without running mongoose's
// insertMany pipeline per call, and grouped with the turn's other inserts (insert-coalescer.ts). The tenant plugin's stamp/check runs first, so isolation is unchanged;
// models with other insertMany middleware, special write options, or a call inside a mongoose transaction
// context take Model.insertMany itself. Every model gets it as the static Model.insertLeanOne(doc)
// (model-compile-checks.ts).
import type { Collection } from 'mongodb'
import type { Model } from 'mongoose'
import { fastPathsOf, inMongooseTransactionContext } from './adapter-fast-paths.ts'
import { insertCoalescer } from './insert-coalescer.ts'
import { isTenantScopedSchema, stampInsertedDocuments } from './tenant-scoped-plugin.ts'

/**
 * Inserts `doc` as is (it must carry its `_id`). Errors are the driver's (a duplicate key has code 11000),
 * like insertMany's with one document.
 */
export async function insertLeanOne(Model: Model<any>, doc: Record<string, unknown>): Promise<void> {
  if (!fastPathsOf(Model).leanInsert || inMongooseTransactionContext(Model)) {
    await Model.insertMany([doc], { lean: true })
    return
  }
  if (doc._id === undefined) throw new Error(`${Model.modelName}: insertLeanOne needs a document with _id`)
  if (isTenantScopedSchema(Model.schema)) stampInsertedDocuments(Model.modelName, [doc])
  // Grouped with the other inserts of this turn on the collection (one insertMany), own outcome kept.
  await insertCoalescer.insert(Model.collection as unknown as Collection, doc)
}
