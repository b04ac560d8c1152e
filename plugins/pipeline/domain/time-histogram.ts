// Log-scale histogram of stage durations, the rollups' way to estimate a median without the entries:
// 8 buckets per doubling from 1 s, so any duration falls in a bucket at most 2^(1/8) wide and the
// bucket's geometric middle is within 2^(1/16) - 1 ≈ 4.4 % of every value in it (under 1 s: ±0.5 s).
export const BUCKETS_PER_DOUBLING = 8
export const HISTOGRAM_BUCKETS = 256
const ONE_SECOND_MS = 1000

/** Upper bound of the relative error of `histogramMedian` for medians of 1 s and more. */
export const MEDIAN_RELATIVE_ERROR = 2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1

/** Bucket 0 holds [0, 1 s); bucket i ≥ 1 holds [1 s · 2^((i-1)/8), 1 s · 2^(i/8)); the last one is open. */
export function bucketOf(durationMs: number): number {
  if (!(durationMs >= ONE_SECOND_MS)) return 0
  const index = 1 + Math.floor(BUCKETS_PER_DOUBLING * Math.log2(durationMs / ONE_SECOND_MS))
  return Math.min(index, HISTOGRAM_BUCKETS - 1)
}

/** The value reported for a bucket: its geometric middle (the arithmetic one for bucket 0). */
export function bucketMiddle(index: number): number {
  if (index <= 0) return ONE_SECOND_MS / 2
  return ONE_SECOND_MS * 2 ** ((index - 0.5) / BUCKETS_PER_DOUBLING)
}

/** Histogram as stored in a rollup: bucket index (as a string key) to count. */
export type Histogram = Record<string, number>

export function mergeHistograms(into: Histogram, from: Histogram | undefined): Histogram {
  for (const [bucket, count] of Object.entries(from ?? {})) into[bucket] = (into[bucket] ?? 0) + count
  return into
}

/**
 * The lower median's bucket middle (MongoDB's $median picks the lower middle value too), or null for an
 * empty histogram.
 */
export function histogramMedian(histogram: Histogram): number | null {
  const buckets = Object.entries(histogram)
    .map(([bucket, count]) => [Number(bucket), count] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => a[0] - b[0])
  const total = buckets.reduce((sum, [, count]) => sum + count, 0)
  if (total === 0) return null
  const rank = Math.ceil(total / 2)
  let seen = 0
  for (const [bucket, count] of buckets) {
    seen += count
    if (seen >= rank) return bucketMiddle(bucket)
  }
  return null
}
