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
  // asOf per namespace, kept while no version is recorded there (a transaction writing many documents would
  // otherwise walk every version of the namespace for each write).
  private readonly changedCache = new Map<
    string,
    { stamp: number; changed: Map<string, Document | null> | null }
  >()

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
    if (!this.versions) return null
    const stamp = this.versions.stampOf(ns)
    const cached = this.changedCache.get(ns)
    if (cached && cached.stamp === stamp) return cached.changed
    const changed = this.versions.asOf(ns, this.snapshot)
    this.changedCache.set(ns, { stamp, changed })
    return changed
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
    this.changedCache.clear()
    this.finished?.()
    this.finished = null
  }
}
