// Runs variants of one workload interleaved (ABC, CBA, ABC...) after a warm-up, and keeps the median
// round of each, so drift (JIT, GC, thermal) hits every variant alike.
import type { BenchSettings } from './bench-settings.ts'
import type { LoadResult, LoadSpec } from './load-spec.ts'
import { runLoad } from './run-load.ts'

export interface Variant {
  /** Short key used in ratios ('a', 'b', ...). */
  key: string
  label: string
  load: Omit<LoadSpec, 'connections' | 'durationMs'>
}

export interface VariantResult {
  key: string
  label: string
  rounds: LoadResult[]
  medianRps: number
  medianP50Ms: number
  medianP99Ms: number
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function measure(variant: Variant, durationMs: number, connections: number): Promise<LoadResult> {
  const result = await runLoad({ ...variant.load, durationMs, connections })
  // A variant that answers errors would look fast: refuse to report it.
  if (result.errors > 0) {
    throw new Error(`${variant.label}: ${result.errors} failed requests (first: ${result.firstError})`)
  }
  return result
}

export async function compareVariants(
  variants: readonly Variant[],
  settings: BenchSettings,
  progress: (message: string) => void = () => {}
): Promise<VariantResult[]> {
  for (const variant of variants) {
    progress(`warm-up ${variant.label}`)
    await measure(variant, settings.warmupMs, settings.connections)
  }
  const rounds = new Map<string, LoadResult[]>(variants.map((v) => [v.key, []]))
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse()
    for (const variant of order) {
      const result = await measure(variant, settings.durationMs, settings.connections)
      rounds.get(variant.key)!.push(result)
      progress(
        `round ${round + 1}/${settings.rounds} ${variant.label}: ${Math.round(result.requestsPerSecond)} req/s`
      )
    }
  }
  return variants.map((variant) => {
    const results = rounds.get(variant.key)!
    return {
      key: variant.key,
      label: variant.label,
      rounds: results,
      medianRps: median(results.map((r) => r.requestsPerSecond)),
      medianP50Ms: median(results.map((r) => r.p50Ms)),
      medianP99Ms: median(results.map((r) => r.p99Ms))
    }
  })
}
