// Checksummed record framing shared by journal and snapshot files, and the scan that tells torn tails from corruption.
import { crc32 } from 'node:zlib'

// magic u32 | payload length u32 | payload crc32 u32 | header crc32 u32 (over the first 12 bytes) | payload
export const RECORD_MAGIC = 0xd3db0001
export const RECORD_HEADER = 16

export function encodeRecord(parts: Uint8Array[]): Buffer {
  let length = 0
  for (const p of parts) length += p.length
  const buf = Buffer.allocUnsafe(RECORD_HEADER + length)
  let at = RECORD_HEADER
  for (const p of parts) {
    buf.set(p, at)
    at += p.length
  }
  buf.writeUInt32LE(RECORD_MAGIC, 0)
  buf.writeUInt32LE(length, 4)
  buf.writeUInt32LE(crc32(buf.subarray(RECORD_HEADER)), 8)
  buf.writeUInt32LE(crc32(buf.subarray(0, 12)), 12)
  return buf
}

export class CorruptFileError extends Error {
  readonly file: string
  readonly offset: number

  constructor(file: string, offset: number, detail: string) {
    super(
      `devdb: ${file} is corrupt at byte offset ${offset} (${detail}); refusing to start. Restore the data directory from a backup or move the file away to discard its contents.`
    )
    this.file = file
    this.offset = offset
  }
}

export interface ScanResult {
  payloads: Buffer[]
  // Length of the valid prefix; bytes after it belong to a torn final record.
  validLength: number
  torn: { offset: number; reason: string } | null
}

type Check = { ok: true; end: number } | { ok: false; reason: string; pastEnd?: boolean }

function checkRecord(buf: Buffer, offset: number): Check {
  if (buf.length - offset < RECORD_HEADER)
    return { ok: false, reason: 'truncated record header', pastEnd: true }
  if (buf.readUInt32LE(offset) !== RECORD_MAGIC) return { ok: false, reason: 'bad record magic' }
  if (crc32(buf.subarray(offset, offset + 12)) !== buf.readUInt32LE(offset + 12))
    return { ok: false, reason: 'record header checksum mismatch' }
  const end = offset + RECORD_HEADER + buf.readUInt32LE(offset + 4)
  if (end > buf.length) return { ok: false, reason: 'truncated record payload', pastEnd: true }
  if (crc32(buf.subarray(offset + RECORD_HEADER, end)) !== buf.readUInt32LE(offset + 8)) {
    return { ok: false, reason: 'record payload checksum mismatch', pastEnd: end === buf.length }
  }
  return { ok: true, end }
}

// Is there any intact record starting after `from`? Then the damage is not a torn tail.
function validRecordAfter(buf: Buffer, from: number): boolean {
  const magic = Buffer.alloc(4)
  magic.writeUInt32LE(RECORD_MAGIC, 0)
  for (let at = buf.indexOf(magic, from + 1); at >= 0; at = buf.indexOf(magic, at + 1)) {
    if (checkRecord(buf, at).ok) return true
  }
  return false
}

// Reads every record; a damaged final record is reported as torn, damage followed by valid records throws.
export function scanRecords(buf: Buffer, file: string, allowTornTail: boolean): ScanResult {
  const payloads: Buffer[] = []
  let offset = 0
  while (offset < buf.length) {
    const check = checkRecord(buf, offset)
    if (check.ok) {
      payloads.push(buf.subarray(offset + RECORD_HEADER, check.end))
      offset = check.end
      continue
    }
    const isTail = check.pastEnd === true || !validRecordAfter(buf, offset)
    if (!isTail || !allowTornTail) throw new CorruptFileError(file, offset, check.reason)
    return { payloads, validLength: offset, torn: { offset, reason: check.reason } }
  }
  return { payloads, validLength: offset, torn: null }
}

// Splits a payload made of concatenated BSON documents.
export function splitDocuments(payload: Buffer): Buffer[] {
  const docs: Buffer[] = []
  let at = 0
  while (at < payload.length) {
    const size = payload.readInt32LE(at)
    if (size < 5 || at + size > payload.length)
      throw new Error(`bad BSON length ${size} inside a checksummed record`)
    docs.push(payload.subarray(at, at + size))
    at += size
  }
  return docs
}
