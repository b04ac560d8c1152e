// One secondary (or _id) index: nested Maps keyed by encoded field values, leaves are sets of document keys.
import type { Document } from 'bson'
import { Query } from 'mingo'
import { commandError, ErrorCodes } from '../errors.ts'
import { firstValue, pathValues } from './doc-path.ts'
import { encodeKey } from './key-encoding.ts'

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

type Level = Map<string, Level | Set<string>>

const MAX_KEYS_PER_DOC = 10_000

export class IndexMap {
  readonly spec: IndexSpec
  readonly fields: string[]
  readonly unique: boolean
  private readonly partial: Query | null
  private root: Level = new Map()

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
    if (simple) return this.spec.sparse && simple.every((k) => k === 'z') ? null : [simple]
    const perField = this.fields.map((f) => [...new Set(pathValues(doc, f).map(encodeKey))])
    if (this.spec.sparse && perField.every((values) => values.length === 1 && values[0] === 'z')) return null
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
      let level = this.root
      for (let i = 0; i < tuple.length - 1; i++) {
        let next = level.get(tuple[i]) as Level | undefined
        if (!next) {
          next = new Map()
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
  *lookup(prefix: string[][]): Generator<string> {
    yield* this.walk(this.root, prefix, 0)
  }

  private *walk(level: Level, prefix: string[][], depth: number): Generator<string> {
    const isLeafLevel = depth === this.fields.length - 1
    const choices = depth < prefix.length ? prefix[depth] : null
    const children = choices ? choices.map((c) => level.get(c)) : level.values()
    for (const child of children) {
      if (!child) continue
      if (isLeafLevel) yield* child as Set<string>
      else yield* this.walk(child as Level, prefix, depth + 1)
    }
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
    this.root = new Map()
  }
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
