// Remembers access tokens whose signature and claims were verified, so a client sending the same token on
// every request costs one Map lookup instead of an HMAC and JSON parsing. Keyed by the whole token string:
// any other byte sequence (another signature, a tampered payload, alg none) is verified from scratch.
// Time claims are re-checked on every hit with jsonwebtoken's rules (exp exclusive, nbf inclusive, no
// clock tolerance), and an entry never outlives MAX_AGE_MS; the cache is bounded and cleared on key change.
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000
export const VERIFIED_TOKEN_MAX_ENTRIES = 10_000

interface Entry {
  payload: Record<string, unknown>
  expiresAtMs: number
  exp?: number
  nbf?: number
}

export interface VerifiedTokenCache {
  /** A copy of the verified payload, or undefined when unknown or no longer valid now. */
  get(token: string): Record<string, unknown> | undefined
  /** The same check as get() without the copy: the cached payload itself, which callers must not change. */
  peek(token: string): Readonly<Record<string, unknown>> | undefined
  remember(token: string, payload: Record<string, unknown>): void
  clear(): void
}

export function createVerifiedTokenCache(
  maxAgeMs = VERIFIED_TOKEN_MAX_AGE_MS,
  maxEntries = VERIFIED_TOKEN_MAX_ENTRIES
): VerifiedTokenCache {
  const entries = new Map<string, Entry>()
  const live = (token: string): Entry | undefined => {
    const entry = entries.get(token)
    if (!entry) return undefined
    const nowMs = Date.now()
    const nowSeconds = Math.floor(nowMs / 1000)
    if (
      nowMs >= entry.expiresAtMs ||
      (entry.exp !== undefined && nowSeconds >= entry.exp) ||
      (entry.nbf !== undefined && entry.nbf > nowSeconds)
    ) {
      if (nowMs >= entry.expiresAtMs || (entry.exp !== undefined && nowSeconds >= entry.exp))
        entries.delete(token)
      return undefined
    }
    return entry
  }
  return {
    get(token) {
      const entry = live(token)
      return entry && { ...entry.payload }
    },
    peek(token) {
      return live(token)?.payload
    },
    remember(token, payload) {
      const exp = typeof payload.exp === 'number' ? payload.exp : undefined
      const nbf = typeof payload.nbf === 'number' ? payload.nbf : undefined
      entries.delete(token)
      entries.set(token, { payload: { ...payload }, expiresAtMs: Date.now() + maxAgeMs, exp, nbf })
      // Map order is insertion order: the first key is the oldest entry.
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
    clear() {
      entries.clear()
    }
  }
}
