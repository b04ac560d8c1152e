// One level of an index map: encoded key -> child, plus a lazily maintained sorted view (keys and their children
// in parallel arrays) so the level can be walked in key order and range-scanned by binary search without
// re-sorting, or looking children up again, after every write.
export interface SortedView<Child> {
  keys: string[]
  children: Child[]
}

export class OrderedLevel<Child> {
  readonly map = new Map<string, Child>()
  // null until the first ordered walk; afterwards brought up to date from `added` / `removed` on demand.
  private view: SortedView<Child> | null = null
  private added: string[] = []
  private removed = false

  get size(): number {
    return this.map.size
  }

  get(key: string): Child | undefined {
    return this.map.get(key)
  }

  set(key: string, child: Child): void {
    if (this.view && !this.map.has(key)) this.added.push(key)
    this.map.set(key, child)
  }

  delete(key: string): void {
    if (this.map.delete(key) && this.view) this.removed = true
  }

  values(): IterableIterator<Child> {
    return this.map.values()
  }

  // Keys in ascending string order (which is MongoDB order for exact keys, see key-encoding.ts).
  sorted(): SortedView<Child> {
    const map = this.map
    if (!this.view) {
      const keys = [...map.keys()].sort()
      this.view = { keys, children: keys.map((k) => map.get(k)!) }
    } else if (this.removed) {
      // A removed key may have come back with a new child object: rebuild from the map.
      const keys = mergeUnique(
        this.view.keys.filter((k) => map.has(k)),
        this.added.sort(),
        map
      )
      this.view = { keys, children: keys.map((k) => map.get(k)!) }
    } else if (this.added.length > 0) {
      const fresh = this.added.sort()
      const { keys, children } = this.view
      if (keys.length === 0 || fresh[0] > keys[keys.length - 1]) {
        // Appending in order (increasing dates, ObjectIds) is the common case: extend in place.
        for (const k of fresh) {
          if (k === keys[keys.length - 1]) continue
          keys.push(k)
          children.push(map.get(k)!)
        }
      } else {
        const merged = mergeUnique(keys, fresh, map)
        this.view = { keys: merged, children: merged.map((k) => map.get(k)!) }
      }
    }
    this.added = []
    this.removed = false
    return this.view
  }
}

// Merges two ascending lists, dropping duplicates and keys no longer in the level.
function mergeUnique(a: string[], b: string[], live: Map<string, unknown>): string[] {
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
