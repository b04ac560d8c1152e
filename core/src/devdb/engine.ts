// Server-wide state shared by all connections: catalog, cursors, sessions, locks and the durability hook.
import { type Document, ObjectId } from 'bson'
import { CursorRegistry } from './cursors.ts'
import type { DevDbLogger } from './logger.ts'
import { LockTable } from './sessions/lock-table.ts'
import { SessionRegistry } from './sessions/session-registry.ts'
import type { Transaction } from './sessions/transaction.ts'
import { Catalog } from './storage/catalog.ts'
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
    this.catalog.applyAll(mutations)
    return this.persistence ? this.persistence.append(mutations) : null
  }

  abortTransaction(txn: Transaction, reason: string): void {
    if (txn.state !== 'active') return
    this.locks.release(txn)
    txn.finish('aborted', reason)
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
