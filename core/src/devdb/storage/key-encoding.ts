// Canonical, order-preserving string encoding of BSON values: values MongoDB considers equal map to the same
// key, and for the common types comparing two keys as strings gives MongoDB's sort order, so index levels can
// be walked in order and range-scanned by binary search.
import { EJSON } from 'bson'

type Bsonish = { _bsontype?: string; toHexString?: () => string; toString: () => string }

// The first character is the BSON type bracket in MongoDB's comparison order (MinKey < null < numbers <
// strings < objects < arrays < binData < ObjectId < booleans < dates < timestamps < regex < MaxKey).
export const NULL_KEY = '1'
const NUMBER = '2'
const STRING = '3'
const DATE = '9'

const scratch = new DataView(new ArrayBuffer(8))

// Fixed-width hex of the IEEE-754 bits with the sign handled so that string order equals numeric order.
function sortableNumber(value: number): string {
  if (Number.isNaN(value)) return '' // NaN sorts below every other number in MongoDB
  scratch.setFloat64(0, value === 0 ? 0 : value)
  let hi = scratch.getUint32(0)
  let lo = scratch.getUint32(4)
  if (hi & 0x80000000) {
    hi = ~hi >>> 0
    lo = ~lo >>> 0
  } else {
    hi = (hi | 0x80000000) >>> 0
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0')
}

export function encodeKey(value: unknown): string {
  if (value === undefined || value === null) return NULL_KEY
  switch (typeof value) {
    case 'number':
      return NUMBER + sortableNumber(value)
    case 'bigint': {
      const n = Number(value)
      return BigInt(n) === value ? NUMBER + sortableNumber(n) : `${NUMBER}~${value}`
    }
    case 'string':
      return STRING + value
    case 'boolean':
      return value ? '81' : '80'
  }
  if (value instanceof Date) return DATE + sortableNumber(value.getTime())
  if (Array.isArray(value)) return `5[${value.map(encodeKey).join(',')}]`
  if (value instanceof RegExp) return `b${value.source}/${value.flags}`
  const bsonType = (value as Bsonish)._bsontype
  switch (bsonType) {
    case 'ObjectId':
      return `7${(value as Bsonish).toHexString!()}`
    case 'Long':
    case 'Int32':
    case 'Double':
      return NUMBER + sortableNumber(Number(value.toString()))
    case 'Decimal128': {
      const asNumber = Number(value.toString())
      return Number.isFinite(asNumber) && String(asNumber) === value.toString()
        ? NUMBER + sortableNumber(asNumber)
        : `${NUMBER}~${value}`
    }
    case 'MinKey':
      return '0'
    case 'MaxKey':
      return '~'
    case undefined: {
      const parts: string[] = []
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        parts.push(`${k}=${encodeKey(v)}`)
      return `4{${parts.join(',')}}`
    }
  }
  return `x${bsonType}:${EJSON.stringify(value as never, { relaxed: false })}`
}

// Whether comparing this key as a string against other exact keys gives MongoDB's order. Objects, arrays,
// binary, regex, rare types, huge integers and strings with astral characters (UTF-16 vs UTF-8 byte order) do not.
export function isOrderExact(key: string): boolean {
  switch (key.charCodeAt(0)) {
    case 0x30: // MinKey
    case 0x31: // null
    case 0x37: // ObjectId
    case 0x38: // boolean
    case 0x39: // Date
    case 0x7e: // MaxKey
      return true
    case 0x32: // number
      return key.charCodeAt(1) !== 0x7e
    case 0x33: // string
      return !/[\ud800-\udfff]/.test(key)
  }
  return false
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

// Encoded [lower, upper] bounds (inclusive flags) of a range operand within its type bracket, or null when the
// operand's bracket has no exact key order (then the range cannot be answered from an index).
export function bracketBounds(
  value: unknown
): { bracketLow: string; bracketHigh: string; key: string } | null {
  if (!isIndexableEquality(value) || typeof value === 'boolean') return null
  const key = encodeKey(value)
  if (!isOrderExact(key)) return null
  const bracket = key[0]
  // NaN is the empty suffix, the lowest number; the next bracket character bounds the type from above.
  return { bracketLow: bracket, bracketHigh: String.fromCharCode(bracket.charCodeAt(0) + 1), key }
}
