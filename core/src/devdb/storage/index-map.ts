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

type Level = OrderedLevel<Level | Set<string>>

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
    for (const tuple of this.keysFor(doc) ?? []) {
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
      let leaf = level.get(last) as Set<string> | undefined
      if (!leaf) {
        leaf = new Set()
        level.set(last, leaf)
      }
      leaf.add(docKey)
    }
  }

  remove(docKey: string, doc: Document): void {
    for (const tuple of this.keysFor(doc) ?? []) this.removeTuple(this.root, tuple, 0, docKey)
  }

  private removeTuple(level: Level, tuple: string[], i: number, docKey: string): void {
    const child = level.get(tuple[i])
    if (!child) return
    if (i === tuple.length - 1) {
      const leaf = child as Set<string>
      leaf.delete(docKey)
      if (leaf.size === 0) level.delete(tuple[i])
      return
    }
    this.removeTuple(child as Level, tuple, i + 1, docKey)
    if ((child as Level).size === 0) level.delete(tuple[i])
  }

  // Document keys whose leading fields equal one of the given encoded values per level.
  lookup(prefix: string[][]): Generator<string> {
    return this.scan({ prefix })
  }

  // Document keys for a scan; with `directions`, in that key order (documents with equal keys in insertion order).
  *scan(scan: IndexScan): Generator<string> {
    yield* this.walk(this.root, scan, 0)
  }

  private *walk(level: Level, scan: IndexScan, depth: number): Generator<string> {
    const isLeafLevel = depth === this.fields.length - 1
    const { prefix } = scan
    let children: Iterable<Level | Set<string> | undefined>
    if (depth < prefix.length) children = prefix[depth].map((c) => level.get(c))
    else {
      const ranged = depth === prefix.length && (scan.low || scan.high)
      const direction = scan.directions?.[depth - prefix.length]
      children =
        ranged || direction ? this.orderedChildren(level, scan, ranged, direction ?? 1) : level.values()
    }
    for (const child of children) {
      if (!child) continue
      if (isLeafLevel) yield* child as Set<string>
      else yield* this.walk(child as Level, scan, depth + 1)
    }
  }

  private *orderedChildren(
    level: Level,
    scan: IndexScan,
    ranged: unknown,
    direction: number
  ): Generator<Level | Set<string> | undefined> {
    const keys = level.keys()
    const from = ranged && scan.low ? lowerBound(keys, scan.low.key, !scan.low.inclusive) : 0
    const to = ranged && scan.high ? lowerBound(keys, scan.high.key, scan.high.inclusive) : keys.length
    if (direction > 0) for (let i = from; i < to; i++) yield level.get(keys[i])
    else for (let i = to - 1; i >= from; i--) yield level.get(keys[i])
  }

  // Another document holding one of this document's unique keys, if any.
  findDuplicate(doc: Document, selfKey: string, ignore?: (docKey: string) => boolean): string | null {
    if (!this.unique) return null
    for (const tuple of this.keysFor(doc) ?? []) {
      for (const other of this.lookup(tuple.map((v) => [v]))) {
        if (other !== selfKey && !ignore?.(other)) return other
      }
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
