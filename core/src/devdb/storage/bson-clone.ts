// Deep copy of BSON documents; BSON value classes (ObjectId, Long, Decimal128, ...) are immutable and shared.
import type { Document } from 'bson'

export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(cloneValue) as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (value instanceof Uint8Array) return Uint8Array.prototype.slice.call(value) as T
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  const out: Document = {}
  for (const key of Object.keys(value)) out[key] = cloneValue((value as Document)[key])
  return out as T
}

export function cloneDocument(doc: Document): Document {
  return cloneValue(doc)
}
