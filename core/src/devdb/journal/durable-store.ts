// Durability for a data directory: recovery (snapshot + journals), journaled appends, compaction, directory lock.
import { existsSync, readdirSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { BSON, type Document } from 'bson'
import type { Engine, Persistence } from '../engine.ts'
import type { Mutation } from '../storage/mutations.ts'
import { JournalWriter } from './journal-writer.ts'
import { CorruptFileError, encodeRecord, scanRecords, splitDocuments } from './record-format.ts'
import { buildSnapshot, loadSnapshot, SNAPSHOT_FILE, syncDirectory, writeSnapshotFile } from './snapshot.ts'

const LOCK_FILE = 'devdb.lock'
const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024
const JOURNAL_PATTERN = /^journal\.(\d+)\.log$/
const deserializeOptions = { promoteBuffers: false } as const

export interface DurableStoreOptions {
  compactBytes?: number
}

function journalName(generation: number): string {
  return `journal.${String(generation).padStart(8, '0')}.log`
}

function journalGenerations(dir: string): number[] {
  return readdirSync(dir)
    .map((f) => JOURNAL_PATTERN.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b)
}

function acquireLock(dir: string): void {
  const path = join(dir, LOCK_FILE)
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim())
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(`devdb: data directory ${dir} is in use by process ${pid}`)
    }
  }
  writeFileSync(path, String(process.pid))
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

class DurableStore implements Persistence {
  private readonly engine: Engine
  private readonly dir: string
  private readonly compactBytes: number
  private generation: number
  private writer: JournalWriter | null = null
  private compacting: Promise<void> | null = null
  private closed = false

  constructor(engine: Engine, dir: string, generation: number, compactBytes: number) {
    this.engine = engine
    this.dir = dir
    this.generation = generation
    this.compactBytes = compactBytes
  }

  append(mutations: Mutation[]): Promise<void> {
    if (!this.writer || this.closed) return Promise.reject(new Error('devdb: durable store is closed'))
    const record = encodeRecord(mutations.map((m) => BSON.serialize(m)))
    const durable = this.writer.append(record)
    if (this.writer.bytes > this.compactBytes && !this.compacting)
      setImmediate(
        () => void this.compact().catch((err) => this.engine.logger.error({ err }, 'devdb compaction failed'))
      )
    return durable
  }

  // Snapshot the catalog and start a new journal generation; older journals are deleted once the snapshot is durable.
  compact(): Promise<void> {
    this.compacting ??= this.runCompaction().finally(() => {
      this.compacting = null
    })
    return this.compacting
  }

  private async runCompaction(): Promise<void> {
    const generation = this.generation + 1
    // Synchronous from here to the writer switch: the snapshot holds exactly what older journals hold.
    const records = buildSnapshot(this.engine.catalog, generation)
    const previous = this.writer
    this.writer = new JournalWriter(
      join(this.dir, journalName(generation)),
      previous ? previous.drain() : null
    )
    this.generation = generation
    syncDirectory(this.dir)
    await previous?.close()
    writeSnapshotFile(this.dir, records)
    for (const g of journalGenerations(this.dir))
      if (g < generation) unlinkSync(join(this.dir, journalName(g)))
    this.engine.logger.debug({ generation, records: records.length }, 'devdb snapshot written')
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.compacting
    await this.compact()
    this.closed = true
    await this.writer?.close()
    unlinkSync(join(this.dir, LOCK_FILE))
  }
}

function replayJournal(engine: Engine, dir: string, generation: number, isLast: boolean): void {
  const file = journalName(generation)
  const path = join(dir, file)
  const buf = readFileSync(path)
  const scan = scanRecords(buf, file, isLast)
  for (const payload of scan.payloads) {
    const mutations = splitDocuments(payload).map(
      (d) => BSON.deserialize(d, deserializeOptions) as Document as Mutation
    )
    try {
      engine.catalog.applyAll(mutations, true)
    } catch (err) {
      throw new CorruptFileError(
        file,
        payload.byteOffset - buf.byteOffset,
        `cannot replay record: ${(err as Error).message}`
      )
    }
  }
  if (scan.torn) {
    engine.logger.warn(
      {
        file,
        offset: scan.torn.offset,
        reason: scan.torn.reason,
        discardedBytes: buf.length - scan.validLength
      },
      'devdb journal: discarding a torn final record (write interrupted by a crash; it was never acknowledged)'
    )
    truncateSync(path, scan.validLength)
  }
}

export async function openDurableStore(
  engine: Engine,
  dataDir: string,
  options: DurableStoreOptions = {}
): Promise<Persistence> {
  await mkdir(dataDir, { recursive: true })
  acquireLock(dataDir)
  let generation = 0
  const snapshotPath = join(dataDir, SNAPSHOT_FILE)
  if (existsSync(snapshotPath)) generation = loadSnapshot(engine.catalog, readFileSync(snapshotPath))
  const journals = journalGenerations(dataDir).filter((g) => g >= generation)
  for (const [i, g] of journals.entries()) replayJournal(engine, dataDir, g, i === journals.length - 1)
  const last = Math.max(generation, ...journals)
  const store = new DurableStore(engine, dataDir, last, options.compactBytes ?? DEFAULT_COMPACT_BYTES)
  await store.compact()
  engine.logger.info(
    { dataDir, generation: last + 1, journalsReplayed: journals.length },
    'devdb data directory opened'
  )
  return store
}
