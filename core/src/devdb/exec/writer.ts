// Document writes for one command: straight to the catalog (journaled), or into the transaction's write set.
import { type Document, UUID } from 'bson'
import type { Engine } from '../engine.ts'
import { commandError, ErrorCodes, writeConflict } from '../errors.ts'
import { lockKey } from '../sessions/lock-table.ts'
import type { Transaction } from '../sessions/transaction.ts'
import type { Collection } from '../storage/collection.ts'
import { encodeKey } from '../storage/key-encoding.ts'
import type { Mutation } from '../storage/mutations.ts'
import { checkIdForTransaction, checkUniqueForTransaction, uniqueKeyOwner } from './transaction-keys.ts'

export class Writer {
  readonly engine: Engine
  readonly txn: Transaction | null
  private readonly pending: Promise<void>[] = []

  constructor(engine: Engine, txn: Transaction | null) {
    this.engine = engine
    this.txn = txn
  }

  // Collection for writing, created implicitly like mongod does on first insert/upsert/createIndexes.
  collection(db: string, name: string): Collection {
    validateCollectionName(db, name)
    const existing = this.engine.catalog.collection(db, name)
    if (existing) return existing
    this.persist([{ op: 'createCollection', db, coll: name, options: {}, uuid: new UUID() }])
    return this.engine.catalog.collection(db, name)!
  }

  // Non-transactional writers wait for transactions holding locks on the documents they are about to touch,
  // or holding (in uncommitted writes) a unique key of the document they are about to write.
  blockedBy(coll: Collection, docKeys: Iterable<string>, incoming?: Document): Promise<void> | null {
    if (this.engine.locks.activeCount === 0) return null
    for (const docKey of docKeys) {
      const owner = this.engine.locks.ownerOf(lockKey(coll.ns, docKey))
      if (owner && owner !== this.txn) {
        if (this.txn) throw writeConflict('document is being modified by another transaction')
        return owner.done
      }
    }
    if (incoming && !this.txn) {
      const owner = uniqueKeyOwner(coll, incoming, encodeKey(incoming._id), this.engine.locks)
      if (owner) return owner.done
    }
    return null
  }

  insert(coll: Collection, doc: Document): void {
    const docKey = encodeKey(doc._id)
    if (this.txn) {
      checkIdForTransaction(coll, this.txn, this.engine.locks, doc, docKey)
      checkUniqueForTransaction(coll, this.txn, this.engine.locks, doc, docKey)
      this.lock(coll, docKey)
      this.txn.record(coll.ns, docKey, doc)
      return
    }
    this.persist([{ op: 'insert', db: coll.db, coll: coll.name, doc }])
    this.noteWrite(coll, docKey)
  }

  replace(coll: Collection, docKey: string, doc: Document): void {
    if (this.txn) {
      checkUniqueForTransaction(coll, this.txn, this.engine.locks, doc, docKey)
      this.lock(coll, docKey)
      this.txn.record(coll.ns, docKey, doc)
      return
    }
    this.persist([{ op: 'replace', db: coll.db, coll: coll.name, doc }])
    this.noteWrite(coll, docKey)
  }

  remove(coll: Collection, docKey: string, doc: Document): void {
    if (this.txn) {
      this.lock(coll, docKey)
      this.txn.record(coll.ns, docKey, null)
      return
    }
    this.persist([{ op: 'delete', db: coll.db, coll: coll.name, id: doc._id }])
    this.noteWrite(coll, docKey)
  }

  persist(mutations: Mutation[]): void {
    const durable = this.engine.commit(mutations)
    if (durable) this.pending.push(durable)
  }

  // Resolves when everything this command wrote is durable.
  flush(): Promise<unknown> | null {
    return this.pending.length > 0 ? Promise.all(this.pending) : null
  }

  private lock(coll: Collection, docKey: string): void {
    const reason = this.engine.locks.acquire(this.txn!, lockKey(coll.ns, docKey))
    if (reason) throw writeConflict(reason)
  }

  private noteWrite(coll: Collection, docKey: string): void {
    if (this.engine.locks.activeCount > 0)
      this.engine.locks.noteWrite(lockKey(coll.ns, docKey), this.engine.locks.tick())
  }
}

export function validateCollectionName(db: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes('\u0000') || name.startsWith('.')) {
    throw commandError(ErrorCodes.InvalidNamespace, `Invalid collection name: ${String(name)}`)
  }
  if (name.startsWith('system.') && name !== 'system.profile' && name !== 'system.js') {
    throw commandError(ErrorCodes.InvalidNamespace, `Invalid system namespace: ${db}.${name}`)
  }
  if (db.length === 0 || /[/\\. "$]/.test(db))
    throw commandError(ErrorCodes.InvalidNamespace, `Invalid database name: '${db}'`)
}
