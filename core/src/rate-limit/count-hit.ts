// The one way core counts a hit against a limit: the batched limiter's local decision when it has one (no
// promise), otherwise hit(); when the limiter cannot count (Redis down) the caller's `unavailable` decides:
// return to fail open (the hit counts as allowed), throw to fail closed.
import type { Logger } from 'pino'
import type { BatchedRateLimiter } from './batched-rate-limiter.ts'
import type { RateLimiter, RateLimitResult, RateLimitRule } from './redis-rate-limiter.ts'

/** The limiter's answer, or undefined when it could not count and `unavailable` let the hit through. */
export type HitOutcome = RateLimitResult | undefined

const countsLocally = (limiter: RateLimiter): limiter is BatchedRateLimiter =>
  typeof (limiter as Partial<BatchedRateLimiter>).hitLocally === 'function'

export function countHit(
  limiter: RateLimiter,
  rule: RateLimitRule,
  subject: string,
  unavailable: (error: Error) => void
): HitOutcome | Promise<HitOutcome> {
  if (countsLocally(limiter)) {
    const local = limiter.hitLocally(rule, subject)
    if (local) return local
  }
  let pending: Promise<RateLimitResult>
  try {
    pending = limiter.hit(rule, subject)
  } catch (error) {
    unavailable(error as Error)
    return undefined
  }
  return pending.then(undefined, (error: Error) => {
    unavailable(error)
    return undefined
  })
}

/**
 * An `unavailable` that logs a warning (the error's message only, never its details) and fails open. The
 * logger is looked up when it is needed (an app's logger may be replaced after setup).
 */
export function warnAndFailOpen(
  logger: () => Logger | undefined,
  message: string,
  fields: Record<string, unknown> = {}
): (error: Error) => void {
  return (error) => logger()?.warn({ ...fields, err: { message: error?.message } }, message)
}
