// Document-level write locks held by open transactions, and last-write clocks for snapshot conflict checks.
import type { Transaction } from './transaction.ts'

const MIN_PRUNE = 1024

export class LockTable {
  private readonly owners = new Map<string, Transaction>()
  // Only kept while transactions are open: a txn conflicts with writes committed after its snapshot.
  private readonly lastWrite = new Map<string, number>()
  private readonly active = new Set<Transaction>()
  clock = 0
  private pruneAt = MIN_PRUNE

  begin(txn: Transaction): void {
    this.active.add(txn)
  }

  tick(): number {
    return ++this.clock
  }

  ownerOf(key: string): Transaction | undefined {
    return this.owners.get(key)
  }

  // Why `txn` may not write `key`, or null when it may (and then it holds the lock).
  acquire(txn: Transaction, key: string): string | null {
    const owner = this.owners.get(key)
    if (owner && owner !== txn) return 'document is being modified by another transaction'
    const written = this.lastWrite.get(key)
    if (written !== undefined && written > txn.snapshot)
      return 'document was modified after the transaction started'
    this.owners.set(key, txn)
    txn.locked.add(key)
    return null
  }

  noteWrite(key: string, at: number): void {
    if (this.active.size > 0) this.lastWrite.set(key, at)
  }

  release(txn: Transaction): void {
    for (const key of txn.locked) if (this.owners.get(key) === txn) this.owners.delete(key)
    txn.locked.clear()
    this.active.delete(txn)
    if (this.active.size === 0) {
      this.lastWrite.clear()
      this.pruneAt = MIN_PRUNE
    } else if (this.lastWrite.size >= this.pruneAt) this.pruneLastWrites()
  }

  // While transactions overlap without pause the map is never cleared: drop the writes no open or future
  // transaction can conflict with (at or before the oldest open snapshot), amortized by doubling the bar.
  private pruneLastWrites(): void {
    const oldest = this.oldestSnapshot()
    if (oldest !== null) for (const [key, at] of this.lastWrite) if (at <= oldest) this.lastWrite.delete(key)
    this.pruneAt = Math.max(MIN_PRUNE, this.lastWrite.size * 2)
  }

  get lastWriteCount(): number {
    return this.lastWrite.size
  }

  // The oldest snapshot among open transactions, or null when none is open.
  oldestSnapshot(): number | null {
    let oldest: number | null = null
    for (const txn of this.active) if (oldest === null || txn.snapshot < oldest) oldest = txn.snapshot
    return oldest
  }

  openTransactions(): Iterable<Transaction> {
    return this.active
  }

  get activeCount(): number {
    return this.active.size
  }
}

export function lockKey(ns: string, docKey: string): string {
  return `${ns}\u0000${docKey}`
}
