// Open server-side cursors: materialized result lists handed out in batches by find/aggregate/getMore.
import { BSON, type Document, Long } from 'bson'
import { MAX_BSON_OBJECT_SIZE } from './wire/opcodes.ts'

export interface CursorState {
  id: Long
  ns: string
  docs: Document[]
  position: number
  sessionId: string | null
  lastUse: number
}

// Leaves headroom below 16MB for the reply envelope.
const BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 64 * 1024

export class CursorRegistry {
  private readonly cursors = new Map<string, CursorState>()
  private nextId = Math.floor(Math.random() * 2 ** 40) + 1

  // Returns the first batch; a cursor is only registered when documents remain.
  open(ns: string, docs: Document[], batchSize: number, sessionId: string | null, single = false): Document {
    // batchSize 0 on find/aggregate means "open the cursor, return nothing yet" (unlike getMore, where 0 = default).
    const first = batchSize === 0 && !single ? [] : takeBatch(docs, 0, batchSize)
    if (single || first.length >= docs.length)
      return { cursor: { id: Long.ZERO, ns, firstBatch: first }, ok: 1 }
    const id = Long.fromNumber(this.nextId++)
    this.cursors.set(id.toString(), { id, ns, docs, position: first.length, sessionId, lastUse: Date.now() })
    return { cursor: { id, ns, firstBatch: first }, ok: 1 }
  }

  get(id: Long | number): CursorState | undefined {
    return this.cursors.get(id.toString())
  }

  next(cursor: CursorState, batchSize: number): Document {
    const batch = takeBatch(cursor.docs, cursor.position, batchSize)
    cursor.position += batch.length
    cursor.lastUse = Date.now()
    const exhausted = cursor.position >= cursor.docs.length
    if (exhausted) this.cursors.delete(cursor.id.toString())
    return { cursor: { id: exhausted ? Long.ZERO : cursor.id, ns: cursor.ns, nextBatch: batch }, ok: 1 }
  }

  kill(id: Long | number): boolean {
    return this.cursors.delete(id.toString())
  }

  killSession(sessionId: string): void {
    for (const [key, c] of this.cursors) if (c.sessionId === sessionId) this.cursors.delete(key)
  }

  // Idle cursors time out after 10 minutes like mongod's cursorTimeoutMillis default.
  reap(now = Date.now(), idleMs = 10 * 60_000): void {
    for (const [key, c] of this.cursors) if (now - c.lastUse > idleMs) this.cursors.delete(key)
  }

  get size(): number {
    return this.cursors.size
  }
}

function takeBatch(docs: Document[], from: number, batchSize: number): Document[] {
  const limit = batchSize > 0 ? Math.min(docs.length, from + batchSize) : docs.length
  const batch: Document[] = []
  let bytes = 0
  for (let i = from; i < limit; i++) {
    const size = BSON.calculateObjectSize(docs[i])
    if (batch.length > 0 && bytes + size > BATCH_BYTES) break
    bytes += size
    batch.push(docs[i])
  }
  return batch
}
