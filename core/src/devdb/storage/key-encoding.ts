// Canonical string encoding of BSON values, so values MongoDB considers equal map to the same index key.
import { EJSON } from 'bson'

type Bsonish = { _bsontype?: string; toHexString?: () => string; toString: () => string }

export function encodeKey(value: unknown): string {
  if (value === undefined || value === null) return 'z'
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? 'n:NaN' : `n:${value === 0 ? 0 : value}`
    case 'bigint':
      return `n:${value}`
    case 'string':
      return `s:${value}`
    case 'boolean':
      return value ? 'b:1' : 'b:0'
  }
  if (value instanceof Date) return `d:${value.getTime()}`
  if (Array.isArray(value)) return `A[${value.map(encodeKey).join(',')}]`
  if (value instanceof RegExp) return `r:${value.source}/${value.flags}`
  const bsonType = (value as Bsonish)._bsontype
  if (bsonType === 'ObjectId') return `o:${(value as Bsonish).toHexString!()}`
  if (bsonType === 'Long' || bsonType === 'Int32' || bsonType === 'Double')
    return `n:${Number(value.toString())}`
  if (bsonType === 'Decimal128') {
    const asNumber = Number(value.toString())
    return Number.isFinite(asNumber) && String(asNumber) === value.toString() ? `n:${asNumber}` : `m:${value}`
  }
  if (bsonType !== undefined) return `x:${bsonType}:${EJSON.stringify(value as never, { relaxed: false })}`
  const parts: string[] = []
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) parts.push(`${k}=${encodeKey(v)}`)
  return `O{${parts.join(',')}}`
}

// Values whose equality query semantics match plain key equality (no array containment, null/missing rules).
export function isIndexableEquality(value: unknown): boolean {
  if (value === null || value === undefined) return false
  const t = typeof value
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') return true
  if (value instanceof Date) return true
  const bsonType = (value as Bsonish)._bsontype
  return bsonType === 'ObjectId' || bsonType === 'Long' || bsonType === 'Int32' || bsonType === 'Double'
}
