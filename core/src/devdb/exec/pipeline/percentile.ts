// Percentiles as MongoDB computes them for $median/$percentile: numeric inputs only (others ignored), ordered
// numerically, and the value at rank ceil(p * n) - 1 — an actual input value, like mongod's answers on small
// inputs. null for no numeric input.
const NUMERIC_TYPES = new Set(['Long', 'Int32', 'Double', 'Decimal128'])

export function numericValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isNaN(value) ? null : value
  if (value !== null && typeof value === 'object') {
    const type = (value as { _bsontype?: string })._bsontype
    if (type !== undefined && NUMERIC_TYPES.has(type)) return Number(String(value))
  }
  return null
}

// `sorted` must be ascending.
export function percentileOf(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null
  if (p >= 1) return sorted[sorted.length - 1]
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]
}
