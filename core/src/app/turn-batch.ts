// Gathers items per key within one turn of the event loop and hands each key's items over together once
// the turn's I/O callbacks have run (setImmediate): every request answered in the turn joins the same
// batch. The group commit of lean inserts and of Bull enqueues both batch this way.
export class TurnBatch<K, T> {
  readonly #flush: (key: K, items: T[]) => void
  #pending = new Map<K, T[]>()
  #scheduled = false

  /** `flush` gets each key's items of the turn, in the order they were added. */
  constructor(flush: (key: K, items: T[]) => void) {
    this.#flush = flush
  }

  add(key: K, item: T): void {
    const items = this.#pending.get(key)
    if (items) items.push(item)
    else this.#pending.set(key, [item])
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(this.#handOver)
  }

  readonly #handOver = (): void => {
    const pending = this.#pending
    this.#pending = new Map()
    this.#scheduled = false
    for (const [key, items] of pending) this.#flush(key, items)
  }
}
