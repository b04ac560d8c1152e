// MongoDB's cross-type sort order and comparison, used for sort specs without building a mingo query.
import type { Document } from 'bson'
import { pathValues } from '../storage/doc-path.ts'

type Tagged = { _bsontype?: string }

// Canonical type ranks from the MongoDB manual ("Comparison/Sort Order").
export function rank(v: unknown): number {
  if (v === undefined || v === null) return 1
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 2
    case 'string':
      return 3
    case 'boolean':
      return 8
  }
  if (v instanceof Date) return 9
  if (v instanceof RegExp) return 11
  if (Array.isArray(v)) return 5
  if (v instanceof Uint8Array) return 6
  switch ((v as Tagged)._bsontype) {
    case 'MinKey':
      return 0
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 2
    case 'Symbol':
      return 3
    case 'Binary':
      return 6
    case 'ObjectId':
      return 7
    case 'Timestamp':
      return 10
    case 'BSONRegExp':
      return 11
    case 'MaxKey':
      return 12
    case undefined:
      return 4
  }
  return 4
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number((v as { toString(): string }).toString())
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return ra - rb
  switch (ra) {
    case 0:
    case 1:
    case 12:
      return 0
    case 2: {
      const x = toNumber(a)
      const y = toNumber(b)
      return x < y ? -1 : x > y ? 1 : 0
    }
    case 3: {
      const x = String(a)
      const y = String(b)
      return x < y ? -1 : x > y ? 1 : 0
    }
    case 7: {
      const x = (a as { toHexString(): string }).toHexString()
      const y = (b as { toHexString(): string }).toHexString()
      return x < y ? -1 : x > y ? 1 : 0
    }
    case 8:
      return Number(a) - Number(b)
    case 9:
      return (a as Date).getTime() - (b as Date).getTime()
    case 10:
      return (a as { compare(o: unknown): number }).compare(b)
    case 5: {
      const x = a as unknown[]
      const y = b as unknown[]
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i])
        if (c !== 0) return c
      }
      return x.length - y.length
    }
    case 4: {
      const x = Object.entries(a as Document)
      const y = Object.entries(b as Document)
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i][1], y[i][1]) || (x[i][0] < y[i][0] ? -1 : x[i][0] > y[i][0] ? 1 : 0)
        if (c !== 0) return c
      }
      return x.length - y.length
    }
    default: {
      const x = String(a)
      const y = String(b)
      return x < y ? -1 : x > y ? 1 : 0
    }
  }
}

// The value a document sorts by for one key: arrays sort by their smallest (asc) or largest (desc) element.
function sortKey(doc: Document, path: string, direction: number): unknown {
  const values = path.includes('.') ? pathValues(doc, path) : [doc[path]]
  const flat = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values
  if (flat.length === 0) return undefined
  if (flat.length === 1) return flat[0]
  let best = flat[0]
  for (const v of flat) if (direction > 0 ? compareValues(v, best) < 0 : compareValues(v, best) > 0) best = v
  return best
}

// null when the spec needs mingo (e.g. $meta or non-numeric directions).
export function sortComparator(spec: Document): ((a: Document, b: Document) => number) | null {
  const keys = Object.entries(spec).map(([path, dir]) => [path, Number(dir)] as const)
  if (keys.some(([, dir]) => dir !== 1 && dir !== -1)) return null
  return (a, b) => {
    for (const [path, dir] of keys) {
      const c = compareValues(sortKey(a, path, dir), sortKey(b, path, dir))
      if (c !== 0) return c * dir
    }
    return 0
  }
}
