// Query execution over a collection plus the caller's transaction write set, using mingo for matching.
import type { Document } from 'bson'
import { Aggregator, find as mingoFind, ProcessingMode, Query } from 'mingo'
import { commandError, ErrorCodes, fromEngineError } from '../errors.ts'
import type { Transaction } from '../sessions/transaction.ts'
import type { Collection, ScanStats } from '../storage/collection.ts'
import { isIndexableEquality } from '../storage/key-encoding.ts'
import type { Plan } from '../storage/planner.ts'
import { sortComparator } from './bson-order.ts'
import { compileNativeFilter } from './native-filter.ts'

export const mingoOptions = { idKey: '_id', useStrictMode: true, processingMode: ProcessingMode.CLONE_OFF }

export function newStats(): ScanStats {
  return { indexName: null, keysExamined: 0, docsExamined: 0 }
}

// Visits candidates from the collection, minus documents the transaction rewrote or others changed since it
// started; then those changed documents as they were at its start; then its own live writes. `visit` returns
// false to stop.
export function forEachCandidate(
  coll: Collection | undefined,
  filter: Document,
  stats: ScanStats,
  txn: Transaction | null,
  visit: (docKey: string, doc: Document) => boolean,
  plan?: Plan
): void {
  const overlay = coll && txn ? txn.overlay(coll.ns) : undefined
  const changed = coll && txn ? txn.changedSinceSnapshot(coll.ns) : null
  const hidden =
    overlay || changed ? (k: string) => overlay?.has(k) === true || changed?.has(k) === true : undefined
  let stopped = false
  if (coll) {
    coll.forEachCandidate(
      filter,
      stats,
      (k, d) => {
        stopped = !visit(k, d)
        return !stopped
      },
      hidden,
      plan
    )
  }
  if (stopped) return
  if (changed) {
    for (const [docKey, doc] of changed) {
      if (doc === null || overlay?.has(docKey)) continue
      stats.docsExamined++
      if (!visit(docKey, doc)) return
    }
  }
  if (!overlay) return
  for (const [docKey, doc] of overlay) {
    if (doc === null) continue
    stats.docsExamined++
    if (!visit(docKey, doc)) return
  }
}

// True when a transaction sees documents besides the collection's current ones (its writes, or snapshot
// versions of documents changed since it started): those are not in index order nor narrowed by the index.
function readsPrivateVersions(coll: Collection | undefined, txn: Transaction | null): boolean {
  if (!coll || !txn) return false
  return txn.overlay(coll.ns) !== undefined || txn.changedSinceSnapshot(coll.ns) !== null
}

// Every live document of a collection as seen by the caller (transaction writes included), unfiltered.
export function allDocuments(coll: Collection | undefined, txn: Transaction | null): Document[] {
  const out: Document[] = []
  forEachCandidate(coll, {}, newStats(), txn, (_k, d) => out.push(d) > 0)
  return out
}

// A hint naming no existing index is an error in MongoDB; a valid hint changes only the plan, so it is accepted.
export function checkHint(coll: Collection | undefined, hint: unknown): void {
  if (!coll || hint === undefined || hint === null) return
  const indexes = [...coll.indexes.values()]
  const found =
    typeof hint === 'string'
      ? coll.indexes.has(hint)
      : typeof hint === 'object' &&
        (Object.keys(hint as Document).length === 0 ||
          (hint as Document).$natural !== undefined ||
          indexes.some((i) => JSON.stringify(i.spec.key) === JSON.stringify(hint)))
  if (!found) {
    throw commandError(
      ErrorCodes.BadValue,
      'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index'
    )
  }
}

// The native matcher where it applies, mingo for the documents (or filters) it leaves undecided.
export function documentTest(filter: Document): (doc: Document) => boolean {
  const native = compileNativeFilter(filter)
  if (!native) {
    const query = compileFilter(filter)
    return (doc) => query.test(doc)
  }
  let query: Query | null = null
  return (doc) => {
    const decided = native(doc)
    if (decided !== undefined) return decided
    query ??= compileFilter(filter)
    return query.test(doc)
  }
}

export function compileFilter(filter: Document): Query {
  try {
    return new Query(filter, mingoOptions)
  } catch (err) {
    throw fromEngineError(err)
  }
}

// True when the chosen index lookup alone decides the match: every filter field is a plain equality
// (or $in) on a leading index field, so running the matcher again would only cost time.
function isCoveredByIndex(plan: Plan, filter: Document): boolean {
  if (!plan.index || plan.low) return false
  const used = new Set(plan.index.fields.slice(0, plan.prefix.length))
  const fields = Object.keys(filter)
  if (fields.length === 0 || fields.length > used.size) return false
  for (const field of fields) {
    if (!used.has(field) || /(^|\.)\d+(\.|$)/.test(field)) return false
    const v = filter[field]
    if (!isIndexableEquality(v) && !isSimpleIn(v)) return false
  }
  return true
}

function isSimpleIn(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false
  const keys = Object.keys(v)
  return (
    keys.length === 1 &&
    keys[0] === '$in' &&
    Array.isArray((v as Document).$in) &&
    ((v as Document).$in as unknown[]).every(isIndexableEquality)
  )
}

export interface MatchOptions {
  sort?: Document
  skip?: number
  limit?: number
}

// Matching [docKey, doc] entries in result order (sort, skip, limit applied).
export function matchEntries(
  coll: Collection | undefined,
  filter: Document,
  txn: Transaction | null,
  options: MatchOptions,
  stats = newStats()
): [string, Document][] {
  const hasSort = options.sort !== undefined && Object.keys(options.sort).length > 0
  const plan = coll?.plan(filter, hasSort ? options.sort : undefined)
  const everything = Object.keys(filter).length === 0
  const privateVersions = readsPrivateVersions(coll, txn)
  const covered = plan && !privateVersions && isCoveredByIndex(plan, filter)
  const test = everything || covered ? null : documentTest(filter)
  const wanted = (options.skip ?? 0) + (options.limit ?? 0)
  const indexOrdered = plan?.sorted === true && !privateVersions
  const needsSort = hasSort && !indexOrdered
  const stopEarly = !needsSort && options.limit !== undefined && options.limit > 0
  let out: [string, Document][] = []
  try {
    forEachCandidate(
      coll,
      filter,
      stats,
      txn,
      (docKey, doc) => {
        if (test && !test(doc)) return true
        out.push([docKey, doc])
        return !(stopEarly && out.length >= wanted)
      },
      plan
    )
  } catch (err) {
    throw fromEngineError(err)
  }
  if (needsSort && out.length > 1) out = sortEntries(out, options.sort!)
  const skip = options.skip ?? 0
  const end = options.limit ? skip + options.limit : undefined
  return skip > 0 || end !== undefined ? out.slice(skip, end) : out
}

export function sortEntries(entries: [string, Document][], sort: Document): [string, Document][] {
  const comparator = sortComparator(sort)
  if (comparator) return entries.sort((a, b) => comparator(a[1], b[1]))
  const keyOf = new Map<Document, string>()
  for (const [k, d] of entries) keyOf.set(d, k)
  try {
    const sorted = mingoFind(
      entries.map((e) => e[1]),
      {},
      {},
      mingoOptions
    )
      .sort(sort as Record<string, 1 | -1>)
      .all() as Document[]
    return sorted.map((d) => [keyOf.get(d)!, d])
  } catch (err) {
    throw fromEngineError(err)
  }
}

// Applies a find-style projection (supports $elemMatch, $slice and positional `$` via the filter).
export function project(docs: Document[], filter: Document, projection: Document | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs
  try {
    return mingoFind(
      docs,
      hasPositional(projection) ? filter : {},
      projection,
      mingoOptions
    ).all() as Document[]
  } catch (err) {
    throw fromEngineError(err)
  }
}

function hasPositional(projection: Document): boolean {
  return Object.keys(projection).some((k) => k.endsWith('.$'))
}

export function runPipeline(docs: Document[], pipeline: Document[], options: Document): Document[] {
  try {
    return new Aggregator(pipeline, { ...mingoOptions, ...options }).run(docs) as Document[]
  } catch (err) {
    throw fromEngineError(err)
  }
}
