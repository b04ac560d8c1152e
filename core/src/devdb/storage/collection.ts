// One collection: documents in insertion order keyed by encoded _id, plus its index maps.
import { type Document, UUID } from 'bson'
import { commandError, ErrorCodes } from '../errors.ts'
import { IndexMap, type IndexSpec } from './index-map.ts'
import { encodeKey } from './key-encoding.ts'
import { type Plan, planQuery } from './planner.ts'

export interface ScanStats {
  indexName: string | null
  keysExamined: number
  docsExamined: number
}

export class Collection {
  readonly db: string
  readonly name: string
  readonly uuid: UUID
  readonly options: Document
  readonly docs = new Map<string, Document>()
  readonly indexes = new Map<string, IndexMap>()

  constructor(db: string, name: string, options: Document = {}, uuid?: UUID) {
    this.db = db
    this.name = name
    this.options = options
    this.uuid = uuid ?? new UUID()
    this.indexes.set('_id_', new IndexMap({ v: 2, key: { _id: 1 }, name: '_id_' }))
  }

  get ns(): string {
    return `${this.db}.${this.name}`
  }

  plan(filter: Document, sort?: Document): Plan {
    if (this.docs.size === 0) return { index: null, prefix: [], sorted: false }
    return planQuery(filter, this.indexes.values(), sort)
  }

  // Visits candidate documents for a filter (not yet filtered) in plan order, recording keys/docs examined;
  // `visit` returns false to stop.
  forEachCandidate(
    filter: Document,
    stats: ScanStats,
    visit: (docKey: string, doc: Document) => boolean,
    skip?: (docKey: string) => boolean,
    plan = this.plan(filter)
  ): void {
    if (plan.branches) {
      this.#forEachOrCandidate(plan.branches, stats, visit, skip)
      return
    }
    if (!plan.index) {
      stats.indexName = null
      for (const [docKey, doc] of this.docs) {
        if (skip?.(docKey)) continue
        stats.docsExamined++
        if (!visit(docKey, doc)) return
      }
      return
    }
    stats.indexName = plan.index.spec.name
    // A document appears under several keys only in multikey indexes; dedupe then.
    const yielded = plan.index.multikey ? new Set<string>() : null
    plan.index.scan(plan, (docKey, doc) => {
      stats.keysExamined++
      if (yielded) {
        if (yielded.has(docKey)) return true
        yielded.add(docKey)
      }
      if (skip?.(docKey)) return true
      stats.docsExamined++
      return visit(docKey, doc)
    })
  }

  // An OR plan: each branch's index scan in turn, a document matching several branches visited once.
  #forEachOrCandidate(
    branches: Plan[],
    stats: ScanStats,
    visit: (docKey: string, doc: Document) => boolean,
    skip?: (docKey: string) => boolean
  ): void {
    stats.indexName = branches.map((branch) => branch.index!.spec.name).join(' OR ')
    const yielded = new Set<string>()
    for (const branch of branches) {
      let stopped = false
      branch.index!.scan(branch, (docKey, doc) => {
        stats.keysExamined++
        if (yielded.has(docKey)) return true
        yielded.add(docKey)
        if (skip?.(docKey)) return true
        stats.docsExamined++
        stopped = !visit(docKey, doc)
        return !stopped
      })
      if (stopped) return
    }
  }

  checkUnique(doc: Document, docKey: string): void {
    for (const index of this.indexes.values()) {
      if (!index.unique || index.spec.name === '_id_') continue
      if (index.findDuplicate(doc, docKey) !== null) throw index.duplicateKeyError(this.ns, doc)
    }
  }

  insert(doc: Document): string {
    const docKey = encodeKey(doc._id)
    if (this.docs.has(docKey)) throw this.indexes.get('_id_')!.duplicateKeyError(this.ns, doc)
    this.checkUnique(doc, docKey)
    this.docs.set(docKey, doc)
    for (const index of this.indexes.values()) index.add(docKey, doc)
    return docKey
  }

  replace(docKey: string, doc: Document): Document {
    const old = this.docs.get(docKey)
    if (!old) throw commandError(ErrorCodes.InternalError, `document ${docKey} vanished from ${this.ns}`)
    this.checkUnique(doc, docKey)
    this.docs.set(docKey, doc)
    for (const index of this.indexes.values()) index.update(docKey, old, doc)
    return old
  }

  remove(docKey: string): Document | undefined {
    const old = this.docs.get(docKey)
    if (!old) return undefined
    for (const index of this.indexes.values()) index.remove(docKey, old)
    this.docs.delete(docKey)
    return old
  }

  // Builds a new index; a unique index over existing duplicates fails like MongoDB's index build.
  addIndex(spec: IndexSpec): void {
    const index = new IndexMap(spec)
    for (const [docKey, doc] of this.docs) {
      if (index.unique && index.findDuplicate(doc, docKey) !== null)
        throw index.duplicateKeyError(this.ns, doc)
      index.add(docKey, doc)
    }
    this.indexes.set(spec.name, index)
  }

  dropIndex(name: string): IndexMap | undefined {
    const index = this.indexes.get(name)
    this.indexes.delete(name)
    return index
  }
}
