// A small in-process cache for bursts of identical requests: entries live `ttlMs`, concurrent misses of one
// key share a single load (no stampede on the API when a page gets popular), failures are not kept, and
// the number of keys is bounded (oldest dropped first) so odd hosts or query strings cannot grow memory.
interface Entry<T> {
  value: Promise<T>
  expires: number
}

export class BurstCache<T> {
  private readonly entries = new Map<string, Entry<T>>()
  private readonly ttlMs: number
  private readonly maxEntries: number

  constructor(ttlMs: number, maxEntries = 1_000) {
    this.ttlMs = ttlMs
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.entries.size
  }

  /** The cached value of `key`, or the result of `load()` (shared by everyone asking meanwhile). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load()
    const now = Date.now()
    const hit = this.entries.get(key)
    if (hit && hit.expires > now) return hit.value
    if (hit) this.entries.delete(key)
    const value = load()
    const entry = { value, expires: now + this.ttlMs }
    this.entries.set(key, entry)
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key)
    })
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string)
    return value
  }

  clear(): void {
    this.entries.clear()
  }
}
