// Placeholder wiring for durability (filled in by the journal module).
import type { Engine, Persistence } from '../engine.ts'

export async function openDurableStore(_engine: Engine, _dataDir: string): Promise<Persistence> {
  throw new Error('dataDir persistence is not implemented yet')
}
