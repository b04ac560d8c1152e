// Snapshot files: the whole catalog as checksummed records, written to a temp file and renamed into place.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { BSON, type Document } from 'bson'
import type { Catalog } from '../storage/catalog.ts'
import { Collection } from '../storage/collection.ts'
import type { IndexSpec } from '../storage/index-map.ts'
import { CorruptFileError, encodeRecord, scanRecords, splitDocuments } from './record-format.ts'

export const SNAPSHOT_FILE = 'snapshot.bson'
const DOCS_PER_RECORD_BYTES = 4 * 1024 * 1024
const deserializeOptions = { promoteBuffers: false } as const

// Serializes the catalog synchronously, so the snapshot is exactly the state at this instant.
export function buildSnapshot(catalog: Catalog, generation: number): Buffer[] {
  const records = [
    encodeRecord([BSON.serialize({ kind: 'meta', version: 1, generation, createdAt: new Date() })])
  ]
  let collections = 0
  for (const [db, colls] of catalog.databases) {
    for (const coll of colls.values()) {
      collections++
      const indexes = [...coll.indexes.values()].filter((i) => i.spec.name !== '_id_').map((i) => i.spec)
      records.push(
        encodeRecord([
          BSON.serialize({
            kind: 'collection',
            db,
            coll: coll.name,
            options: coll.options,
            uuid: coll.uuid,
            indexes
          })
        ])
      )
      let parts: Uint8Array[] = []
      let bytes = 0
      const flush = () => {
        if (parts.length === 0) return
        records.push(
          encodeRecord([BSON.serialize({ kind: 'docs', db, coll: coll.name, n: parts.length }), ...parts])
        )
        parts = []
        bytes = 0
      }
      for (const doc of coll.docs.values()) {
        const bson = BSON.serialize(doc)
        parts.push(bson)
        bytes += bson.length
        if (bytes >= DOCS_PER_RECORD_BYTES) flush()
      }
      flush()
    }
  }
  records.push(encodeRecord([BSON.serialize({ kind: 'end', collections })]))
  return records
}

export function writeSnapshotFile(dir: string, records: Buffer[]): void {
  const tmp = join(dir, `${SNAPSHOT_FILE}.tmp`)
  const fd = openSync(tmp, 'w')
  try {
    for (const r of records) {
      let written = 0
      while (written < r.length) written += writeSync(fd, r, written, r.length - written)
    }
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, join(dir, SNAPSHOT_FILE))
  syncDirectory(dir)
}

export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

// Loads a snapshot into an empty catalog; returns its generation. Any damage is fatal (it was written atomically).
export function loadSnapshot(catalog: Catalog, buf: Buffer): number {
  const { payloads } = scanRecords(buf, SNAPSHOT_FILE, false)
  let generation = -1
  let ended = false
  for (const payload of payloads) {
    const [headBytes, ...docBytes] = splitDocuments(payload)
    const head = BSON.deserialize(headBytes, deserializeOptions) as Document
    if (head.kind === 'meta') generation = Number(head.generation)
    else if (head.kind === 'collection') {
      let dbMap = catalog.databases.get(head.db)
      if (!dbMap) {
        dbMap = new Map()
        catalog.databases.set(head.db, dbMap)
      }
      const coll = new Collection(head.db, head.coll, head.options ?? {}, head.uuid)
      dbMap.set(head.coll, coll)
      for (const spec of head.indexes as IndexSpec[]) coll.addIndex(spec)
    } else if (head.kind === 'docs') {
      const coll = catalog.collection(head.db, head.coll)
      if (!coll)
        throw new CorruptFileError(
          SNAPSHOT_FILE,
          0,
          `documents for unknown collection ${head.db}.${head.coll}`
        )
      for (const bytes of docBytes) coll.insert(BSON.deserialize(bytes, deserializeOptions))
    } else if (head.kind === 'end') ended = true
  }
  if (generation < 0 || !ended)
    throw new CorruptFileError(SNAPSHOT_FILE, buf.length, 'snapshot is incomplete')
  return generation
}
