// The duration histogram's median estimate stays within its documented bound of the exact median.
import { describe, expect, it } from 'vitest'
import {
  bucketMiddle,
  bucketOf,
  type Histogram,
  histogramMedian,
  MEDIAN_RELATIVE_ERROR
} from '../../domain/time-histogram.ts'

const exactLowerMedian = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.ceil(values.length / 2) - 1]

describe('time histogram', () => {
  it('puts every duration in a bucket whose middle is within the error bound', () => {
    for (const ms of [1000, 1001, 1090, 59_999, 3_600_000, 86_400_000, 7 * 86_400_000, 123_456_789]) {
      expect(Math.abs(bucketMiddle(bucketOf(ms)) - ms) / ms).toBeLessThanOrEqual(
        MEDIAN_RELATIVE_ERROR + 1e-12
      )
    }
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(999)).toBe(0)
    expect(bucketOf(Number.MAX_SAFE_INTEGER)).toBe(255)
  })

  it('estimates the median of random samples within the bound', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647
      return seed / 2_147_483_647
    }
    for (let round = 0; round < 50; round++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 500) }, () =>
        Math.round(1000 + random() ** 3 * 30 * 86_400_000)
      )
      const histogram: Histogram = {}
      for (const value of values) histogram[bucketOf(value)] = (histogram[bucketOf(value)] ?? 0) + 1
      const exact = exactLowerMedian(values)
      const estimate = histogramMedian(histogram) as number
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(MEDIAN_RELATIVE_ERROR + 1e-12)
    }
  })

  it('has no median without entries', () => {
    expect(histogramMedian({})).toBeNull()
    expect(histogramMedian({ 12: 0 })).toBeNull()
  })
})
