// In-process counterpart of compare-variants for data-layer work: keeps `concurrency` operations in flight
// for a fixed time per round, interleaves variants (AB, BA, ...) after a warm-up, reports medians.
import type { BenchSettings } from './bench-settings.ts'
import { median } from './compare-variants.ts'

export interface OpVariant {
  key: string
  label: string
  /** One operation; it should verify its own result so a broken variant cannot look fast. */
  run: () => Promise<void>
}

export interface OpResult {
  key: string
  label: string
  rounds: number[]
  medianOpsPerSecond: number
}

export async function measureOps(
  run: () => Promise<void>,
  durationMs: number,
  concurrency: number
): Promise<number> {
  let operations = 0
  const started = performance.now()
  const deadline = started + durationMs
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await run()
        operations++
      }
    })
  )
  return (operations / (performance.now() - started)) * 1000
}

export async function compareOps(
  variants: readonly OpVariant[],
  settings: Pick<BenchSettings, 'rounds' | 'warmupMs' | 'durationMs'> & { concurrency: number },
  progress: (message: string) => void = () => {}
): Promise<OpResult[]> {
  for (const variant of variants) {
    progress(`warm-up ${variant.label}`)
    await measureOps(variant.run, settings.warmupMs, settings.concurrency)
  }
  const rounds = new Map<string, number[]>(variants.map((v) => [v.key, []]))
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse()
    for (const variant of order) {
      const opsPerSecond = await measureOps(variant.run, settings.durationMs, settings.concurrency)
      rounds.get(variant.key)!.push(opsPerSecond)
      progress(`round ${round + 1}/${settings.rounds} ${variant.label}: ${Math.round(opsPerSecond)} ops/s`)
    }
  }
  return variants.map((v) => ({
    key: v.key,
    label: v.label,
    rounds: rounds.get(v.key)!,
    medianOpsPerSecond: median(rounds.get(v.key)!)
  }))
}
