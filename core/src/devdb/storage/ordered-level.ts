// One level of an index map: encoded key -> child, plus a lazily maintained sorted key list so the level can be
// walked in key order and range-scanned by binary search without re-sorting after every write.
export class OrderedLevel<Child> {
  readonly map = new Map<string, Child>()
  // null until the first ordered walk; afterwards kept up to date from `added` and `removed` on demand.
  private sorted: string[] | null = null
  private added: string[] = []
  private removed = false

  get size(): number {
    return this.map.size
  }

  get(key: string): Child | undefined {
    return this.map.get(key)
  }

  set(key: string, child: Child): void {
    if (this.sorted && !this.map.has(key)) this.added.push(key)
    this.map.set(key, child)
  }

  delete(key: string): void {
    if (this.map.delete(key) && this.sorted) this.removed = true
  }

  values(): IterableIterator<Child> {
    return this.map.values()
  }

  // Keys in ascending string order (which is MongoDB order for exact keys, see key-encoding.ts).
  keys(): string[] {
    if (!this.sorted) {
      this.sorted = [...this.map.keys()].sort()
      this.added = []
      this.removed = false
      return this.sorted
    }
    if (this.added.length === 0 && !this.removed) return this.sorted
    const map = this.map
    const old = this.removed ? this.sorted.filter((k) => map.has(k)) : this.sorted
    const fresh = this.added.length > 1 ? this.added.sort() : this.added
    this.sorted = fresh.length === 0 ? old : mergeUnique(old, fresh, map)
    this.added = []
    this.removed = false
    return this.sorted
  }
}

// Merges two ascending lists, dropping duplicates (a key removed and re-added sits in both) and removed keys.
// `a` is owned by the level and may be extended in place.
function mergeUnique(a: string[], b: string[], live: Map<string, unknown>): string[] {
  // Appending in order (increasing dates, ObjectIds) is the common case: no interleaving, no copy.
  if (a.length === 0 || b[0] > a[a.length - 1]) {
    let last = a.length > 0 ? a[a.length - 1] : undefined
    for (const k of b) {
      if (k !== last && live.has(k)) a.push(k)
      last = k
    }
    return a
  }
  const out: string[] = []
  let i = 0
  let j = 0
  let last: string | undefined
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++]
    if (next !== last && live.has(next)) out.push(next)
    last = next
  }
  return out
}

// Index of the first key >= bound (or > bound when `after`), by binary search.
export function lowerBound(keys: string[], bound: string, after: boolean): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid] < bound || (after && keys[mid] === bound)) lo = mid + 1
    else hi = mid
  }
  return lo
}
