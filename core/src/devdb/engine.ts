// Server-wide state shared by all connections: catalog, cursors, sessions, locks and the durability hook.
import { type Document, ObjectId } from 'bson'
import { CursorRegistry } from './cursors.ts'
import type { DevDbLogger } from './logger.ts'
import { LockTable } from './sessions/lock-table.ts'
import { SessionRegistry } from './sessions/session-registry.ts'
import type { Transaction } from './sessions/transaction.ts'
import { VersionStore } from './sessions/version-store.ts'
import { Catalog } from './storage/catalog.ts'
import { encodeKey } from './storage/key-encoding.ts'
import type { Mutation } from './storage/mutations.ts'

export interface Persistence {
  // Resolves once the mutations are durable; called after they were applied in memory.
  append(mutations: Mutation[]): Promise<void>
  close(): Promise<void>
}

export class Engine {
  readonly catalog = new Catalog()
  readonly cursors = new CursorRegistry()
  readonly sessions = new SessionRegistry()
  readonly locks = new LockTable()
  readonly versions = new VersionStore()
  readonly processId = new ObjectId()
  readonly startedAt = new Date()
  readonly logger: DevDbLogger
  persistence: Persistence | null = null
  address = '127.0.0.1:27017'
  nextConnectionId = 1

  constructor(logger: DevDbLogger) {
    this.logger = logger
  }

  // Applies a batch atomically in memory, then returns the durability promise (null when in-memory only).
  commit(mutations: Mutation[]): Promise<void> | null {
    if (mutations.length === 0) return null
    if (this.locks.activeCount > 0) this.recordPreImages(mutations)
    this.catalog.applyAll(mutations)
    return this.persistence ? this.persistence.append(mutations) : null
  }

  abortTransaction(txn: Transaction, reason: string): void {
    if (txn.state !== 'active') return
    this.releaseTransaction(txn)
    txn.finish('aborted', reason)
  }

  // Frees a finished transaction's locks and the document versions only it still needed.
  releaseTransaction(txn: Transaction): void {
    this.locks.release(txn)
    this.versions.prune(this.locks.oldestSnapshot())
  }

  // Open transactions read as of their start: keep what these writes replace (under one new clock tick, so
  // transactions started before it do not see them and those started after do).
  private recordPreImages(mutations: Mutation[]): void {
    const tick = this.locks.tick()
    for (const m of mutations) {
      if (m.op !== 'insert' && m.op !== 'replace' && m.op !== 'delete') continue
      const coll = this.catalog.collection(m.db, m.coll)
      const docKey = encodeKey(m.op === 'delete' ? m.id : m.doc._id)
      this.versions.record(`${m.db}.${m.coll}`, docKey, coll?.docs.get(docKey) ?? null, tick)
    }
  }

  dbStatsDoc(db: string): Document {
    const colls = this.catalog.collections(db)
    let objects = 0
    let indexes = 0
    for (const c of colls.values()) {
      objects += c.docs.size
      indexes += c.indexes.size
    }
    return { db, collections: colls.size, views: 0, objects, indexes }
  }
}
