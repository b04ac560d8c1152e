// Default Bull options: bounded retention (Redis must not grow without limit) and stalled-job settings
// under which a re-run is safe because every job and event handler is idempotent.
import type Bull from 'bull'

export const DEFAULT_ATTEMPTS = 5
export const DEFAULT_BACKOFF_MS = 1000

/** Completed jobs are kept briefly for inspection; failed ones long enough for someone to look. */
export const DEFAULT_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 }
} as const

export function defaultJobOptions(
  overrides: { attempts?: number; backoffMs?: number } = {}
): Bull.JobOptions {
  return {
    attempts: overrides.attempts ?? DEFAULT_ATTEMPTS,
    backoff: { type: 'exponential', delay: overrides.backoffMs ?? DEFAULT_BACKOFF_MS },
    removeOnComplete: { ...DEFAULT_RETENTION.removeOnComplete },
    removeOnFail: { ...DEFAULT_RETENTION.removeOnFail }
  }
}

/**
 * A worker that dies loses its lock after `lockDuration`; another worker's stalled check (every
 * `stalledInterval`) puts the job back, up to `maxStalledCount` times before it is failed.
 */
export const DEFAULT_QUEUE_SETTINGS: Bull.AdvancedSettings = {
  lockDuration: 30_000,
  stalledInterval: 30_000,
  maxStalledCount: 2,
  retryProcessDelay: 1000
}
