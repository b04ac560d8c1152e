// One secondary (or _id) index: nested Maps keyed by encoded field values, leaves are sets of document keys.
import type { Document } from 'bson'
import { Query } from 'mingo'
import { commandError, ErrorCodes } from '../errors.ts'
import { firstValue, pathValues } from './doc-path.ts'
import { encodeKey, isOrderExact, NULL_KEY } from './key-encoding.ts'
import { lowerBound, OrderedLevel } from './ordered-level.ts'

export interface IndexSpec {
  v?: number
  key: Document
  name: string
  unique?: boolean
  sparse?: boolean
  partialFilterExpression?: Document
  expireAfterSeconds?: number
  [option: string]: unknown
}

// Leaves map document keys to the stored documents themselves, so a scan needs no second lookup.
type Leaf = Map<string, Document>
type Level = OrderedLevel<Level | Leaf>
type Visit = (docKey: string, doc: Document) => boolean

export interface KeyBound {
  key: string
  inclusive: boolean
}

// How to walk an index: equality choices for the leading fields, optional bounds on the next field, and (for an
// ordered walk) the direction of each field after the equality prefix (1 ascending, -1 descending).
export interface IndexScan {
  prefix: string[][]
  low?: KeyBound
  high?: KeyBound
  directions?: number[]
}

const MAX_KEYS_PER_DOC = 10_000

export class IndexMap {
  readonly spec: IndexSpec
  readonly fields: string[]
  readonly unique: boolean
  private readonly partial: Query | null
  private root: Level = new OrderedLevel()
  // Set once a document puts an array on an indexed path (like mongod's multikey flag, never cleared):
  // array sort keys and range bounds need whole-array semantics, so ordered walks and ranges are then refused.
  multikey = false
  // Cleared once a key without an exact string order (see key-encoding.ts) enters the index.
  orderExact = true

  constructor(spec: IndexSpec) {
    this.spec = spec
    this.fields = Object.keys(spec.key)
    this.unique = spec.unique === true || spec.name === '_id_'
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : null
  }

  get isPartialOrSparse(): boolean {
    return this.partial !== null || this.spec.sparse === true
  }

  // Encoded key tuples for a document, or null when sparse/partial rules exclude it.
  keysFor(doc: Document): string[][] | null {
    if (this.partial && !this.partial.test(doc)) return null
    const simple = this.scalarKey(doc)
    if (simple) return this.spec.sparse && simple.every((k) => k === NULL_KEY) ? null : [simple]
    if (!this.multikey && this.fields.some((f) => arrayOnPath(doc, f))) this.multikey = true
    const perField = this.fields.map((f) => [...new Set(pathValues(doc, f).map(encodeKey))])
    if (this.spec.sparse && perField.every((values) => values.length === 1 && values[0] === NULL_KEY))
      return null
    let tuples: string[][] = [[]]
    for (const values of perField) {
      const next: string[][] = []
      for (const t of tuples) for (const v of values) next.push([...t, v])
      tuples = next
      if (tuples.length > MAX_KEYS_PER_DOC) {
        throw commandError(ErrorCodes.BadValue, `too many index keys for index ${this.spec.name}`)
      }
    }
    return tuples
  }

  // The common case: top-level, non-array values give exactly one key tuple without fan-out bookkeeping.
  private scalarKey(doc: Document): string[] | null {
    const out: string[] = []
    for (const field of this.fields) {
      if (field.includes('.')) return null
      const value = doc[field]
      if (Array.isArray(value)) return null
      out.push(encodeKey(value))
    }
    return out
  }

  add(docKey: string, doc: Document): void {
    for (const tuple of this.keysFor(doc) ?? []) this.leafFor(tuple).set(docKey, doc)
  }

  private leafFor(tuple: string[]): Leaf {
    if (this.orderExact && !tuple.every(isOrderExact)) this.orderExact = false
    let level = this.root
    for (let i = 0; i < tuple.length - 1; i++) {
      let next = level.get(tuple[i]) as Level | undefined
      if (!next) {
        next = new OrderedLevel()
        level.set(tuple[i], next)
      }
      level = next
    }
    const last = tuple[tuple.length - 1]
    let leaf = level.get(last) as Leaf | undefined
    if (!leaf) {
      leaf = new Map()
      level.set(last, leaf)
    }
    return leaf
  }

  // A changed document: when its keys are unchanged (the usual update) only the leaf's document is swapped,
  // which keeps the levels (and their sorted views) untouched.
  update(docKey: string, old: Document, doc: Document): void {
    const before = this.keysFor(old)
    const after = this.keysFor(doc)
    if (before?.length === 1 && after?.length === 1 && sameTuple(before[0], after[0])) {
      this.leafFor(after[0]).set(docKey, doc)
      return
    }
    for (const tuple of before ?? []) this.removeTuple(this.root, tuple, 0, docKey)
    for (const tuple of after ?? []) this.leafFor(tuple).set(docKey, doc)
  }

  remove(docKey: string, doc: Document): void {
    for (const tuple of this.keysFor(doc) ?? []) this.removeTuple(this.root, tuple, 0, docKey)
  }

  private removeTuple(level: Level, tuple: string[], i: number, docKey: string): void {
    const child = level.get(tuple[i])
    if (!child) return
    if (i === tuple.length - 1) {
      const leaf = child as Leaf
      leaf.delete(docKey)
      if (leaf.size === 0) level.delete(tuple[i])
      return
    }
    this.removeTuple(child as Level, tuple, i + 1, docKey)
    if ((child as Level).size === 0) level.delete(tuple[i])
  }

  // Visits the document keys of a scan (with `directions`, in that key order; equal keys in insertion order).
  // `visit` returns false to stop; scan returns false when it was stopped. Callbacks rather than generators:
  // a generator per index level cost more than the walk itself on million-key scans.
  scan(scan: IndexScan, visit: Visit): boolean {
    return this.walk(this.root, scan, 0, visit)
  }

  private walk(level: Level, scan: IndexScan, depth: number, visit: Visit): boolean {
    const { prefix } = scan
    if (depth < prefix.length) {
      for (const choice of prefix[depth]) {
        const child = level.get(choice)
        if (child && !this.enter(child, scan, depth, visit)) return false
      }
      return true
    }
    const ranged = depth === prefix.length && (scan.low !== undefined || scan.high !== undefined)
    const direction = scan.directions?.[depth - prefix.length]
    if (!ranged && !direction) {
      // forEach avoids an iterator (and entry arrays) per level: it matters on million-key walks.
      let going = true
      level.map.forEach((child) => {
        if (going) going = this.enter(child, scan, depth, visit)
      })
      return going
    }
    const { keys, children } = level.sorted()
    const from = ranged && scan.low ? lowerBound(keys, scan.low.key, !scan.low.inclusive) : 0
    const to = ranged && scan.high ? lowerBound(keys, scan.high.key, scan.high.inclusive) : keys.length
    if (direction === -1) {
      for (let i = to - 1; i >= from; i--) if (!this.enter(children[i], scan, depth, visit)) return false
    } else {
      for (let i = from; i < to; i++) if (!this.enter(children[i], scan, depth, visit)) return false
    }
    return true
  }

  private enter(child: Level | Leaf, scan: IndexScan, depth: number, visit: Visit): boolean {
    if (depth < this.fields.length - 1) return this.walk(child as Level, scan, depth + 1, visit)
    let going = true
    ;(child as Leaf).forEach((doc, docKey) => {
      if (going) going = visit(docKey, doc)
    })
    return going
  }

  // Another document holding one of this document's unique keys, if any.
  findDuplicate(doc: Document, selfKey: string, ignore?: (docKey: string) => boolean): string | null {
    if (!this.unique) return null
    let found: string | null = null
    for (const tuple of this.keysFor(doc) ?? []) {
      this.scan({ prefix: tuple.map((v) => [v]) }, (other) => {
        if (other !== selfKey && !ignore?.(other)) found = other
        return found === null
      })
      if (found !== null) return found
    }
    return null
  }

  duplicateKeyError(ns: string, doc: Document): Error {
    const keyValue: Document = {}
    for (const f of this.fields) keyValue[f] = firstValue(doc, f)
    const shown = this.fields.map((f) => `${f}: ${formatValue(keyValue[f])}`).join(', ')
    return commandError(
      ErrorCodes.DuplicateKey,
      `E11000 duplicate key error collection: ${ns} index: ${this.spec.name} dup key: { ${shown} }`,
      { keyPattern: { ...this.spec.key }, keyValue }
    )
  }

  clear(): void {
    this.root = new OrderedLevel()
  }
}

function sameTuple(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function arrayOnPath(doc: unknown, path: string): boolean {
  let value = doc
  for (const part of path.split('.')) {
    if (Array.isArray(value)) return true
    if (value === null || typeof value !== 'object') return false
    value = (value as Document)[part]
  }
  return Array.isArray(value)
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (value instanceof Date) return `new Date(${value.getTime()})`
  const bsonType = (value as { _bsontype?: string })._bsontype
  if (bsonType === 'ObjectId') return `ObjectId('${(value as { toHexString(): string }).toHexString()}')`
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
