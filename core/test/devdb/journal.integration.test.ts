// Embedded devdb journal recovery: a torn final record is reported and dropped; damage mid-file refuses to start.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BSON } from 'bson'
import { MongoClient } from 'mongodb'
import { afterAll, describe, expect, it } from 'vitest'
import { start } from '../../src/devdb/index.ts'
import { encodeRecord } from '../../src/devdb/journal/record-format.ts'
import { captureLogger } from './support/capture-logger.ts'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const JOURNAL = 'journal.00000001.log'

// A data directory holding only a journal: create collection `app.j`, then one insert per record.
function journalDir(inserts: number): { dir: string; offsets: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'devdb-journal-'))
  dirs.push(dir)
  const records = [
    encodeRecord([BSON.serialize({ op: 'createCollection', db: 'app', coll: 'j', options: {} })])
  ]
  for (let i = 0; i < inserts; i++)
    records.push(
      encodeRecord([BSON.serialize({ op: 'insert', db: 'app', coll: 'j', doc: { _id: i, v: `value-${i}` } })])
    )
  const offsets: number[] = []
  let at = 0
  for (const r of records) {
    offsets.push(at)
    at += r.length
  }
  writeFileSync(join(dir, JOURNAL), Buffer.concat(records))
  return { dir, offsets }
}

async function ids(uri: string): Promise<number[]> {
  const client = await MongoClient.connect(`${uri}app`)
  try {
    return (await client.db().collection('j').find().sort({ _id: 1 }).toArray()).map(
      (d) => d._id as unknown as number
    )
  } finally {
    await client.close()
  }
}

describe('journal recovery', () => {
  it('replays a clean journal', async () => {
    const { dir } = journalDir(5)
    const db = await start({ dataDir: dir, logger: captureLogger() })
    expect(await ids(db.uri)).toEqual([0, 1, 2, 3, 4])
    await db.stop()
  })

  it('reports and truncates a torn final record, keeping everything before it', async () => {
    const { dir } = journalDir(5)
    const path = join(dir, JOURNAL)
    const full = readFileSync(path)
    writeFileSync(path, full.subarray(0, full.length - 7))
    const logger = captureLogger()
    const db = await start({ dataDir: dir, logger })
    expect(await ids(db.uri)).toEqual([0, 1, 2, 3])
    const warning = logger.entries.find((e) => e.level === 'warn' && /torn final record/.test(e.msg ?? ''))
    expect(warning).toBeDefined()
    expect(warning!.obj).toMatchObject({ file: JOURNAL, reason: 'truncated record payload' })
    await db.stop()
    // The recovered state was made durable: the next start is clean.
    const again = captureLogger()
    const db2 = await start({ dataDir: dir, logger: again })
    expect(await ids(db2.uri)).toEqual([0, 1, 2, 3])
    expect(again.entries.filter((e) => e.level === 'warn')).toEqual([])
    await db2.stop()
  })

  it('treats garbage after the last record (a torn header) as a torn tail', async () => {
    const { dir } = journalDir(3)
    appendFileSync(join(dir, JOURNAL), Buffer.from([1, 0, 219, 211, 9, 9]))
    const logger = captureLogger()
    const db = await start({ dataDir: dir, logger })
    expect(await ids(db.uri)).toEqual([0, 1, 2])
    expect(logger.entries.some((e) => e.level === 'warn')).toBe(true)
    await db.stop()
  })

  it('refuses to start when a record in the middle is corrupt, naming the offset', async () => {
    const { dir, offsets } = journalDir(5)
    const path = join(dir, JOURNAL)
    const buf = readFileSync(path)
    const victim = offsets[2]
    buf[victim + 20] ^= 0xff
    writeFileSync(path, buf)
    await expect(start({ dataDir: dir, logger: captureLogger() })).rejects.toThrow(
      new RegExp(
        `${JOURNAL.replace(/\./g, '\\.')} is corrupt at byte offset ${victim} \\(record payload checksum mismatch\\)`
      )
    )
  })

  it('refuses to start when a record header in the middle is damaged', async () => {
    const { dir, offsets } = journalDir(5)
    const path = join(dir, JOURNAL)
    const buf = readFileSync(path)
    buf.writeUInt32LE(0xffffff, offsets[1] + 4)
    writeFileSync(path, buf)
    await expect(start({ dataDir: dir, logger: captureLogger() })).rejects.toThrow(
      `is corrupt at byte offset ${offsets[1]}`
    )
  })

  it('compacts into a snapshot and starts a new journal generation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devdb-compact-'))
    dirs.push(dir)
    const db = await start({ dataDir: dir, logger: captureLogger(), compactBytes: 4096 })
    const client = await MongoClient.connect(`${db.uri}app`)
    for (let i = 0; i < 200; i++)
      await client
        .db()
        .collection('j')
        .insertOne({ _id: i as never, pad: 'p'.repeat(100) })
    await client.close()
    await db.stop()
    const db2 = await start({ dataDir: dir, logger: captureLogger() })
    expect(await ids(db2.uri)).toHaveLength(200)
    await db2.stop()
  })
})
