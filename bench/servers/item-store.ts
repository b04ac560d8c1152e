// The in-memory records every framework-tax variant serves, so only the framework differs between them.
export interface Item {
  id: string
  title: string
  description: string
  createdAt: string
}

export class ItemStore {
  private readonly items = new Map<string, Item>()
  private nextId = 1

  constructor(seed = 100) {
    for (let i = 0; i < seed; i++) this.create({ title: `Item ${i}`, description: 'seeded' })
  }

  get(id: string): Item | undefined {
    return this.items.get(id)
  }

  create(data: { title: unknown; description: unknown }): Item {
    const id = String(this.nextId++)
    const item = {
      id,
      title: String(data.title),
      description: String(data.description),
      createdAt: new Date().toISOString()
    }
    this.items.set(id, item)
    // Bounded so long POST runs measure the framework, not a growing heap; deleting by key stays O(1).
    this.items.delete(String(this.nextId - 10_000))
    return item
  }
}

/** A ~1 KB JSON body for the POST workload. */
export function oneKilobyteItem(): string {
  return JSON.stringify({ title: 'Benchmark item', description: 'x'.repeat(1000) })
}
