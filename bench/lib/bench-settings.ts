// Bench knobs from the environment, so CI smoke runs and full runs use the same code.
export interface BenchSettings {
  /** Measured rounds per variant (interleaved ABAB...); the median is reported. */
  rounds: number
  warmupMs: number
  durationMs: number
  connections: number
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

export function benchSettings(): BenchSettings {
  return {
    rounds: positiveInt('BENCH_ROUNDS', 5),
    warmupMs: positiveInt('BENCH_WARMUP_MS', 2000),
    durationMs: positiveInt('BENCH_DURATION_MS', 3000),
    connections: positiveInt('BENCH_CONNECTIONS', 32)
  }
}
