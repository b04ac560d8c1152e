// Group commit for single-document inserts: the inserts a process asks for on one collection within one turn
// of the event loop go to the database as one unordered insertMany (one command, one round trip) instead of
// one insertOne each. Each caller still gets its own outcome: its document stored, or insertOne's own error
// for it (a duplicate key: MongoServerError 11000 with keyPattern/keyValue), and one document failing never
// fails the others. Documents carry their tenant already (stamped before they get here).
import type { Collection, Document, MongoBulkWriteError } from 'mongodb'
import { TurnBatch } from '../app/turn-batch.ts'

interface PendingInsert {
  doc: Document
  resolve(): void
  reject(error: unknown): void
}

/** Most documents one insertMany carries; more wait for the next command of the same turn. */
const MAX_BATCH = 500

export class InsertCoalescer {
  readonly #batch = new TurnBatch<Collection, PendingInsert>((collection, inserts) => {
    for (let start = 0; start < inserts.length; start += MAX_BATCH)
      void this.#send(collection, inserts.slice(start, start + MAX_BATCH))
  })

  insert(collection: Collection, doc: Document): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#batch.add(collection, { doc, resolve, reject }))
  }

  async #send(collection: Collection, inserts: PendingInsert[]): Promise<void> {
    if (inserts.length === 1) {
      this.#insertAlone(collection, inserts[0])
      return
    }
    try {
      await collection.insertMany(
        inserts.map((insert) => insert.doc),
        { ordered: false }
      )
      for (const insert of inserts) insert.resolve()
    } catch (error) {
      if (!isBulkWriteError(error)) {
        // Nothing says which documents were stored (a network error, a timeout): each caller is told.
        for (const insert of inserts) insert.reject(error)
        return
      }
      if (error.writeConcernError) {
        for (const insert of inserts) insert.reject(error)
        return
      }
      const failed = new Set((error.writeErrors as unknown as { index: number }[]).map(({ index }) => index))
      inserts.forEach((insert, index) => {
        // The others of an unordered insertMany were stored. A failed one is tried again alone, so its
        // caller gets exactly insertOne's outcome (the driver's bulk errors drop keyPattern/keyValue).
        if (failed.has(index)) this.#insertAlone(collection, insert)
        else insert.resolve()
      })
    }
  }

  #insertAlone(collection: Collection, insert: PendingInsert): void {
    collection.insertOne(insert.doc).then(() => insert.resolve(), insert.reject)
  }
}

/** By shape, not instanceof: the driver that threw may be another copy of the package (mongoose's own). */
function isBulkWriteError(error: unknown): error is MongoBulkWriteError {
  return (
    (error as Error)?.name === 'MongoBulkWriteError' &&
    Array.isArray((error as MongoBulkWriteError).writeErrors)
  )
}

/** One per process: every lean insert goes through it. */
export const insertCoalescer = new InsertCoalescer()
