// One multi-document transaction: a private write set per namespace, applied to the catalog only on commit.
import type { Document } from 'bson'
import type { VersionStore } from './version-store.ts'

export type TxnState = 'active' | 'committed' | 'aborted'

export class Transaction {
  readonly sessionId: string
  readonly txnNumber: number
  readonly snapshot: number
  state: TxnState = 'active'
  abortReason: string | null = null
  lastUse = Date.now()
  // ns -> docKey -> new document (null = deleted). Insertion order is commit order.
  readonly writes = new Map<string, Map<string, Document | null>>()
  // Locked keys "ns\0docKey", released on commit/abort.
  readonly locked = new Set<string>()
  private finished: (() => void) | null = null
  readonly done: Promise<void>

  private readonly versions: VersionStore | null

  constructor(sessionId: string, txnNumber: number, snapshot: number, versions: VersionStore | null = null) {
    this.sessionId = sessionId
    this.txnNumber = txnNumber
    this.snapshot = snapshot
    this.versions = versions
    this.done = new Promise((resolve) => {
      this.finished = resolve
    })
  }

  overlay(ns: string): Map<string, Document | null> | undefined {
    return this.writes.get(ns)
  }

  // Documents of `ns` others changed since this transaction started, with their state at its start.
  changedSinceSnapshot(ns: string): Map<string, Document | null> | null {
    return this.versions?.asOf(ns, this.snapshot) ?? null
  }

  record(ns: string, docKey: string, doc: Document | null): void {
    let map = this.writes.get(ns)
    if (!map) {
      map = new Map()
      this.writes.set(ns, map)
    }
    map.set(docKey, doc)
  }

  finish(state: 'committed' | 'aborted', reason?: string): void {
    this.state = state
    if (reason) this.abortReason = reason
    this.writes.clear()
    this.finished?.()
    this.finished = null
  }
}
