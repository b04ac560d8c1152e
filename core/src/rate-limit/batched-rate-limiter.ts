// Fixed-window limiter for hot paths (the global per-IP HTTP limit) without a Redis round trip per request.
// Each process counts hits locally and adds them to the shared Redis window counters with one script call
// per flush interval (every key at once); decisions use the global count of the last sync plus the hits
// not yet sent. Redis is asked synchronously only for a subject's first hit in a window and when fewer than
// `exactBelow` points remain, so the limit is exact in one process and near the limit.
// Error bound (documented in the README): a subject can exceed `points` by at most the hits other processes
// accepted for it within one flush interval before their counts reached Redis and this process's sync.
// Subjects are client IPs, so the local table is capped (`maxEntries`): past the cap, after dropping expired
// windows, a new subject is not tracked here and each of its hits goes to Redis directly (exact, one round
// trip), so a flood of addresses costs Redis calls rather than unbounded memory, and no count is lost.
import type { Redis } from 'ioredis'
import type { RateLimiter, RateLimitResult, RateLimitRule } from './redis-rate-limiter.ts'

// Counts reach Redis through one script, for a subject's hit that must be asked (one key) and for a flush
// (every pending count, one call per chunk of keys instead of one call per key: per key a call cost ≈ 10 µs of ioredis work here and a command dispatch in Redis, and a flush carries one key
// per active client IP). (One Redis, as Bull needs too: a cluster would need the keys in one slot.) Each key
// is counted under pcall: a key Redis refuses (not a counter) yields -1 and cannot abort the other keys.
const FLUSH_SCRIPT = `
local replies = {}
for index, key in ipairs(KEYS) do
  local window = ARGV[index * 2 - 1]
  local amount = tonumber(ARGV[index * 2])
  local count = redis.pcall('INCRBY', key, amount)
  if type(count) ~= 'number' then
    replies[index * 2 - 1] = -1
    replies[index * 2] = -1
  else
    if count == amount then redis.pcall('PEXPIRE', key, window) end
    local ttl = redis.pcall('PTTL', key)
    if type(ttl) ~= 'number' or ttl < 0 then redis.pcall('PEXPIRE', key, window) ttl = tonumber(window) end
    replies[index * 2 - 1] = count
    replies[index * 2] = ttl
  end
end
return replies
`
/** The counting script's command name on the client (tests replace it to simulate a Redis outage). */
export const FLUSH_COMMAND = 'batchedRateLimitFlush'
/** Keys per flush script call: bounds how long one call holds Redis (a few µs per key). */
const FLUSH_CHUNK = 1_000

/** A window in whole milliseconds (PEXPIRE takes an integer; a rule may give fractional seconds). */
const windowMsOf = (rule: RateLimitRule) => Math.max(1, Math.round(rule.durationSeconds * 1000))

export const FLUSH_INTERVAL_MS = 100
export const MAX_TRACKED_SUBJECTS = 100_000
/** Scanning for expired windows at the cap is O(entries): at most this often. */
const PRUNE_INTERVAL_MS = 1_000
/** Refused keys already warned about: each is logged once, not every flush; the oldest is forgotten past this. */
const MAX_WARNED_KEYS = 1_000
/** Fraction of `points` below which every hit is checked against Redis. */
const EXACT_FRACTION = 0.1

interface WindowState {
  rule: RateLimitRule
  /** Global count as of the last answer from Redis (this process's sent hits included). */
  synced: number
  /** Hits accepted here and not yet added in Redis. */
  pending: number
  resetAt: number
}

export interface BatchedRateLimiter extends RateLimiter {
  /**
   * The same decision as hit() when it needs no Redis answer (the common case: counted locally), without a
   * promise; undefined when Redis must be asked: then call hit().
   */
  hitLocally(rule: RateLimitRule, subject: string): RateLimitResult | undefined
  /** Sends every pending count now (shutdown, tests). */
  flush(): Promise<void>
  /** Stops the flush timer after a last flush. */
  close(): Promise<void>
  /** Subjects counted locally (at most `maxEntries`). */
  readonly trackedSubjects: number
}

interface Logger {
  warn(object: object, message: string): void
}

type FlushCommand = (keyCount: number, ...keysThenArgs: (string | number)[]) => Promise<number[]>

export function createBatchedRateLimiter(
  redis: Redis,
  keyPrefix: string,
  options: { flushIntervalMs?: number; logger?: Logger; maxEntries?: number } = {}
): BatchedRateLimiter {
  if (!(FLUSH_COMMAND in redis)) redis.defineCommand(FLUSH_COMMAND, { lua: FLUSH_SCRIPT })
  // Looked up per call (not bound once) so that a replaced command (tests) takes effect.
  const addMany = (keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number[]> =>
    (redis as unknown as Record<string, FlushCommand>)[FLUSH_COMMAND](keyCount, ...keysThenArgs)
  const keyOf = (rule: RateLimitRule, subject: string) => `${keyPrefix}:rl:${rule.name}:${subject}`
  const states = new Map<string, WindowState>()
  const maxEntries = options.maxEntries ?? MAX_TRACKED_SUBJECTS
  let failures = 0
  let prunedAt = 0
  const warnedKeys = new Set<string>()

  /** Whether a new subject may be tracked locally, dropping finished windows first when at the cap. */
  const roomForNew = (): boolean => {
    if (states.size < maxEntries) return true
    const now = Date.now()
    if (now - prunedAt >= PRUNE_INTERVAL_MS) {
      prunedAt = now
      for (const [key, state] of states) if (state.resetAt <= now && state.pending === 0) states.delete(key)
    }
    return states.size < maxEntries
  }

  const result = (state: WindowState): RateLimitResult => {
    const used = state.synced + state.pending
    return {
      allowed: used <= state.rule.points,
      remaining: Math.max(0, state.rule.points - used),
      retryAfterSeconds: Math.max(1, Math.ceil((state.resetAt - Date.now()) / 1000))
    }
  }

  const record = (key: string, rule: RateLimitRule, count: number, ttlMs: number): WindowState => {
    const resetAt = Date.now() + ttlMs
    const state = states.get(key)
    if (state && state.resetAt > Date.now() && count < state.synced) return state
    const next: WindowState = { rule, synced: count, pending: state?.pending ?? 0, resetAt }
    if (state || roomForNew()) states.set(key, next)
    return next
  }

  /** Adds `amount` hits in Redis now and returns the fresh state. */
  const sync = async (key: string, rule: RateLimitRule, amount: number): Promise<WindowState> => {
    // The flush script for one key (the single-key case of the same counting).
    const [count, ttl] = await addMany(1, key, windowMsOf(rule), amount)
    if (count < 0) throw new Error('rate limit key is not a counter')
    return record(key, rule, count, ttl)
  }

  /**
   * Redis refused this key (it holds something else): its counts cannot be kept there, and sending them again
   * would fail the same way. They stay counted here, so the subject is limited locally until its window ends
   * rather than starting over each flush.
   */
  const refused = (key: string, state: WindowState, amount: number): void => {
    state.synced += amount
    if (warnedKeys.has(key)) return
    if (warnedKeys.size >= MAX_WARNED_KEYS) warnedKeys.delete(warnedKeys.values().next().value as string)
    warnedKeys.add(key)
    options.logger?.warn({ key }, 'rate limit key is not a counter: hits not synced')
  }

  const flush = async () => {
    const batch: [string, WindowState, number][] = []
    const now = Date.now()
    for (const [key, state] of states) {
      if (state.pending > 0) {
        batch.push([key, state, state.pending])
        state.pending = 0
      } else if (state.resetAt <= now) states.delete(key)
    }
    if (batch.length === 0) return
    const chunks: Promise<void>[] = []
    for (let start = 0; start < batch.length; start += FLUSH_CHUNK)
      chunks.push(flushChunk(batch.slice(start, start + FLUSH_CHUNK)))
    await Promise.all(chunks)
  }

  const flushChunk = async (chunk: [string, WindowState, number][]): Promise<void> => {
    const keysThenArgs: (string | number)[] = chunk.map(([key]) => key)
    for (const [, state, amount] of chunk) keysThenArgs.push(windowMsOf(state.rule), amount)
    try {
      const replies = await addMany(chunk.length, ...keysThenArgs)
      chunk.forEach(([key, state, amount], index) => {
        const count = replies[index * 2]
        if (count >= 0) {
          record(key, state.rule, count, replies[index * 2 + 1])
          if (warnedKeys.size > 0) warnedKeys.delete(key)
        } else refused(key, state, amount)
      })
      failures = 0
    } catch (error) {
      // Redis unavailable: keep the counts for the next flush (the limit fails open meanwhile). A call whose
      // reply was lost may have added them already: sending them again errs on the strict side.
      for (const [, state, amount] of chunk) state.pending += amount
      if (failures++ === 0)
        options.logger?.warn({ err: { message: (error as Error).message } }, 'rate limit counts not synced')
    }
  }

  /** hit() without Redis: undefined when Redis must be asked. */
  const hitLocally = (rule: RateLimitRule, subject: string): RateLimitResult | undefined => {
    const state = states.get(keyOf(rule, subject))
    if (!state || state.resetAt <= Date.now()) return undefined
    // Callers may count one subject under different ceilings (a per-IP limit set per tenant): judge this
    // hit by its own rule, not the one the window was opened with.
    state.rule = rule
    const used = state.synced + state.pending
    // Over the limit: it stays so until the window resets; nothing to count or ask.
    if (used >= rule.points) return { ...result(state), allowed: false }
    if (rule.points - used <= Math.max(1, Math.ceil(rule.points * EXACT_FRACTION))) return undefined
    state.pending++
    return result(state)
  }

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? FLUSH_INTERVAL_MS)
  timer.unref()

  return {
    hitLocally,
    async hit(rule, subject) {
      const local = hitLocally(rule, subject)
      if (local) return local
      const key = keyOf(rule, subject)
      const state = states.get(key)
      if (!state || state.resetAt <= Date.now()) return result(await sync(key, rule, 1))
      // Near the limit: every hit is checked against Redis (exact).
      state.rule = rule
      const amount = state.pending + 1
      state.pending = 0
      try {
        return result(await sync(key, rule, amount))
      } catch (error) {
        state.pending += amount
        throw error
      }
    },
    async reset(rule, subject) {
      const key = keyOf(rule, subject)
      states.delete(key)
      await redis.del(key)
    },
    flush,
    async close() {
      clearInterval(timer)
      await flush()
    },
    get trackedSubjects() {
      return states.size
    }
  }
}
