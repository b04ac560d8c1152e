// Bench knobs from the environment, so CI smoke runs and full runs use the same code.
import { createHash } from 'node:crypto'
import { ConfigError, decodeEncryptionKey, ENCRYPTION_KEY_RULE } from '../../core/src/config/load-config.ts'

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

/**
 * The platform encryption key a bench starts with. The platform stores a key-derivation root wrapped with
 * it, so a bench run against a persistent MONGODB_URI must use the key of the run before: the environment's
 * PLATFORM_ENCRYPTION_KEY when set, else one derived from the database URI (bench data, not a secret).
 */
export function benchEncryptionKey(mongoUri: string): Buffer {
  const configured = process.env.PLATFORM_ENCRYPTION_KEY
  if (configured === undefined || configured === '')
    return createHash('sha256').update(`masterstage-bench-encryption-key:${mongoUri}`).digest()
  const key = decodeEncryptionKey(configured)
  if (key.length !== 32)
    throw new ConfigError([{ variable: 'PLATFORM_ENCRYPTION_KEY', message: ENCRYPTION_KEY_RULE }])
  return key
}
