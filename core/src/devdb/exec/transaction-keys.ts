// Unique-key checks for writes inside a transaction, with mongod's snapshot rules: a key the transaction's
// snapshot holds is a duplicate (E11000); a key that appeared or vanished after the snapshot, or that another
// open transaction has written, is a WriteConflict (first writer wins), which withTransaction retries.
import type { Document } from 'bson'
import { writeConflict } from '../errors.ts'
import { type LockTable, lockKey } from '../sessions/lock-table.ts'
import type { Transaction } from '../sessions/transaction.ts'
import type { Collection } from '../storage/collection.ts'
import type { IndexMap } from '../storage/index-map.ts'

// Throws when `txn` may not insert a document with this `_id` key.
export function checkIdForTransaction(
  coll: Collection,
  txn: Transaction,
  locks: LockTable,
  doc: Document,
  docKey: string
): void {
  const duplicate = () => coll.indexes.get('_id_')!.duplicateKeyError(coll.ns, doc)
  const overlay = txn.overlay(coll.ns)
  if (overlay?.has(docKey)) {
    if (overlay.get(docKey) !== null) throw duplicate()
    return
  }
  // Absent now: the lock reports a delete committed after the snapshot, or another transaction's insert.
  if (!coll.docs.has(docKey)) return
  const owner = locks.ownerOf(lockKey(coll.ns, docKey))
  if (owner && owner !== txn) throw writeConflict('document is being modified by another transaction')
  const changed = txn.changedSinceSnapshot(coll.ns)
  if (changed?.has(docKey) && changed.get(docKey) === null)
    throw writeConflict('document inserted after the transaction started')
  throw duplicate()
}

// Throws when `doc` (to be written as `docKey` by `txn`) takes a secondary unique key it may not take.
export function checkUniqueForTransaction(
  coll: Collection,
  txn: Transaction,
  locks: LockTable,
  doc: Document,
  docKey: string
): void {
  const overlay = txn.overlay(coll.ns)
  const changed = txn.changedSinceSnapshot(coll.ns)
  const previous = versionSeenBy(coll, overlay, changed, docKey)
  for (const index of coll.indexes.values()) {
    if (!index.unique || index.spec.name === '_id_') continue
    const wanted = keySet(index, doc)
    if (!wanted) continue
    // An update that keeps the keys this document already holds (in what this transaction sees) takes no
    // new key: nothing to check, as mongod leaves that index entry alone.
    if (previous && sameKeys(wanted, keySet(index, previous))) continue
    // Committed holders, except documents this transaction rewrites (their new version is checked below).
    const holder = index.findDuplicate(doc, docKey, (k) => overlay?.has(k) === true)
    if (holder !== null) {
      const owner = locks.ownerOf(lockKey(coll.ns, holder))
      if (owner && owner !== txn)
        throw writeConflict('unique key held by a document another transaction is writing')
      if (changed?.has(holder) && !holdsKey(index, changed.get(holder) ?? null, wanted))
        throw writeConflict('unique key written after the transaction started')
      throw index.duplicateKeyError(coll.ns, doc)
    }
    if (changed) {
      for (const [otherKey, before] of changed) {
        if (otherKey === docKey || overlay?.has(otherKey)) continue
        if (holdsKey(index, before, wanted))
          throw writeConflict('unique key released after the transaction started')
      }
    }
    const other = heldByOpenTransaction(coll.ns, index, wanted, docKey, txn, locks)
    if (other) throw writeConflict('unique key written by another open transaction')
    if (overlay) {
      for (const [otherKey, mine] of overlay) {
        if (otherKey !== docKey && holdsKey(index, mine, wanted)) throw index.duplicateKeyError(coll.ns, doc)
      }
    }
  }
}

// The open transaction whose uncommitted writes give another document one of `doc`'s unique keys: a plain
// (non-transactional) write waits for it, as mongod's write-conflict retries do.
export function uniqueKeyOwner(
  coll: Collection,
  doc: Document,
  docKey: string,
  locks: LockTable
): Transaction | null {
  for (const index of coll.indexes.values()) {
    if (!index.unique || index.spec.name === '_id_') continue
    const wanted = keySet(index, doc)
    if (!wanted) continue
    const owner = heldByOpenTransaction(coll.ns, index, wanted, docKey, null, locks)
    if (owner) return owner
  }
  return null
}

function heldByOpenTransaction(
  ns: string,
  index: IndexMap,
  wanted: Set<string>,
  docKey: string,
  self: Transaction | null,
  locks: LockTable
): Transaction | null {
  for (const other of locks.openTransactions()) {
    if (other === self) continue
    const writes = other.overlay(ns)
    if (!writes) continue
    for (const [otherKey, written] of writes) {
      if (otherKey !== docKey && holdsKey(index, written, wanted)) return other
    }
  }
  return null
}

/**
 * The version of `docKey` this transaction sees: its own write, else the committed one when nobody changed it
 * after the snapshot (otherwise undefined: the full checks decide).
 */
function versionSeenBy(
  coll: Collection,
  overlay: Map<string, Document | null> | undefined,
  changed: Map<string, Document | null> | null,
  docKey: string
): Document | null | undefined {
  if (overlay?.has(docKey)) return overlay.get(docKey)
  if (changed?.has(docKey)) return undefined
  return coll.docs.get(docKey)
}

function sameKeys(wanted: Set<string>, held: Set<string> | null): boolean {
  if (!held || held.size !== wanted.size) return false
  for (const key of wanted) if (!held.has(key)) return false
  return true
}

function keySet(index: IndexMap, doc: Document): Set<string> | null {
  const tuples = index.keysFor(doc)
  return tuples && tuples.length > 0 ? new Set(tuples.map((t) => t.join('\u0001'))) : null
}

function holdsKey(index: IndexMap, doc: Document | null, wanted: Set<string>): boolean {
  if (!doc) return false
  return (index.keysFor(doc) ?? []).some((t) => wanted.has(t.join('\u0001')))
}
