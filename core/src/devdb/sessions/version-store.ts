// Pre-images of documents changed while transactions are open, so that a transaction reads the data as it was
// when it started (snapshot isolation) plus its own writes. Kept only while some open transaction could need
// them: nothing is recorded without open transactions, and versions older than every open snapshot are dropped.
import type { Document } from 'bson'

interface Version {
  // The write's clock tick: transactions whose snapshot is older than this must not see the write.
  tick: number
  // The document before the write (null: it did not exist).
  before: Document | null
}

const MIN_PRUNE = 64

export class VersionStore {
  private readonly byNs = new Map<string, Map<string, Version[]>>()

  private count = 0
  private pruneAt = MIN_PRUNE
  // Bumped by every version recorded in a namespace: asOf's answer for an open snapshot changes only then
  // (pruning drops versions no open snapshot sees), so transactions can keep it until the stamp moves.
  private readonly stamps = new Map<string, number>()

  get size(): number {
    return this.count
  }

  record(ns: string, docKey: string, before: Document | null, tick: number): void {
    let docs = this.byNs.get(ns)
    if (!docs) {
      docs = new Map()
      this.byNs.set(ns, docs)
    }
    const versions = docs.get(docKey)
    if (!versions) docs.set(docKey, [{ tick, before }])
    // Several writes to one document in one commit: the first pre-image is the one before the commit.
    else if (versions[versions.length - 1].tick !== tick) versions.push({ tick, before })
    else return
    this.count++
    this.stamps.set(ns, (this.stamps.get(ns) ?? 0) + 1)
  }

  /** Changes whenever a version is recorded in `ns`. */
  stampOf(ns: string): number {
    return this.stamps.get(ns) ?? 0
  }

  // Documents of `ns` changed after `snapshot`, each with its state at the snapshot (null: absent then).
  asOf(ns: string, snapshot: number): Map<string, Document | null> | null {
    const docs = this.byNs.get(ns)
    if (!docs) return null
    let out: Map<string, Document | null> | null = null
    for (const [docKey, versions] of docs) {
      const first = versions.find((v) => v.tick > snapshot)
      if (!first) continue
      out ??= new Map()
      out.set(docKey, first.before)
    }
    return out
  }

  // Drops versions no open transaction can need (all snapshots at or after them), or everything.
  // Versions a transaction no longer needs are ignored by asOf (older than its snapshot), so the walk over
  // everything is amortized: it runs once the store has doubled since the last one.
  prune(oldestSnapshot: number | null): void {
    if (oldestSnapshot === null) {
      this.byNs.clear()
      this.count = 0
      this.pruneAt = MIN_PRUNE
      return
    }
    if (this.count < this.pruneAt) return
    let count = 0
    for (const [ns, docs] of this.byNs) {
      for (const [docKey, versions] of docs) {
        const keep = versions.filter((v) => v.tick > oldestSnapshot)
        if (keep.length === 0) docs.delete(docKey)
        else if (keep.length !== versions.length) docs.set(docKey, keep)
        count += keep.length
      }
      if (docs.size === 0) this.byNs.delete(ns)
    }
    this.count = count
    this.pruneAt = Math.max(MIN_PRUNE, count * 2)
  }
}
