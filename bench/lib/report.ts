// Prints variant tables and throughput ratios against the bare baseline, with the target each should meet.
import type { VariantResult } from './compare-variants.ts'

export interface RatioTarget {
  numerator: string
  denominator: string
  /** Minimum acceptable numerator/denominator throughput ratio. */
  target: number
}

export interface RatioOutcome extends RatioTarget {
  ratio: number
  met: boolean
}

export function printTable(title: string, results: readonly VariantResult[]): void {
  console.log(`\n${title}`)
  console.log(
    `  ${'variant'.padEnd(58)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`
  )
  for (const r of results) {
    console.log(
      `  ${`(${r.key}) ${r.label}`.padEnd(58)} ${Math.round(r.medianRps).toString().padStart(9)} ${r.medianP50Ms
        .toFixed(2)
        .padStart(8)} ${r.medianP99Ms.toFixed(2).padStart(8)}`
    )
  }
}

export function computeRatios(
  results: readonly { key: string; value: number }[],
  targets: readonly RatioTarget[]
): RatioOutcome[] {
  const byKey = new Map(results.map((r) => [r.key, r.value]))
  return targets.map((t) => {
    const numerator = byKey.get(t.numerator)
    const denominator = byKey.get(t.denominator)
    if (numerator === undefined || denominator === undefined) {
      throw new Error(`ratio ${t.numerator}/${t.denominator}: variant not measured`)
    }
    const ratio = numerator / denominator
    return { ...t, ratio, met: ratio >= t.target }
  })
}

export function printRatios(title: string, outcomes: readonly RatioOutcome[]): void {
  console.log(`  ${title}`)
  for (const o of outcomes) {
    const verdict = o.met ? 'meets' : 'BELOW'
    console.log(
      `    ${o.numerator}/${o.denominator} = ${o.ratio.toFixed(3)}  (target >= ${o.target}: ${verdict})`
    )
  }
}
