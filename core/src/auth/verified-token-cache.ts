// Remembers access tokens whose signature and claims were verified, so a client sending the same token on
// every request costs one Map lookup instead of an HMAC and JSON parsing. An entry answers only for the
// whole token string it was stored with: any other byte sequence (another signature, a tampered payload,
// alg none) is verified from scratch. The map is keyed by the token's last characters (its signature):
// hashing the fresh ~300-character header string on every lookup cost ~0.4 µs, more than the rest of the
// check; the whole token is compared after the lookup. Two tokens sharing a tail (only a forged one could,
// and forged tokens are never stored) take one entry in turn.
// Time claims are re-checked on every hit with jsonwebtoken's rules (exp exclusive, nbf inclusive, no
// clock tolerance), and an entry never outlives MAX_AGE_MS; the cache is bounded and cleared on key change.
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000
export const VERIFIED_TOKEN_MAX_ENTRIES = 10_000

/** Characters of the token's end the map is keyed by: within an HS256 signature (43 characters). */
const KEY_CHARACTERS = 32

interface Entry {
  token: string
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
  const keyOf = (token: string) => (token.length > KEY_CHARACTERS ? token.slice(-KEY_CHARACTERS) : token)
  const live = (token: string): Entry | undefined => {
    const key = keyOf(token)
    const entry = entries.get(key)
    if (!entry || entry.token !== token) return undefined
    const nowMs = Date.now()
    const nowSeconds = Math.floor(nowMs / 1000)
    if (
      nowMs >= entry.expiresAtMs ||
      (entry.exp !== undefined && nowSeconds >= entry.exp) ||
      (entry.nbf !== undefined && entry.nbf > nowSeconds)
    ) {
      if (nowMs >= entry.expiresAtMs || (entry.exp !== undefined && nowSeconds >= entry.exp))
        entries.delete(key)
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
      const key = keyOf(token)
      entries.delete(key)
      entries.set(key, { token, payload: { ...payload }, expiresAtMs: Date.now() + maxAgeMs, exp, nbf })
      // Map order is insertion order: the first key is the oldest entry.
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
    clear() {
      entries.clear()
    }
  }
}
