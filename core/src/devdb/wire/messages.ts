// Decodes OP_MSG / OP_QUERY requests and encodes OP_MSG / OP_REPLY responses with the official bson package.
import { BSON, type Document } from 'bson'
import { FrameError } from './frame-reader.ts'
import { HEADER_SIZE, MAX_BSON_OBJECT_SIZE, OpCode } from './opcodes.ts'

export interface Request {
  requestId: number
  opCode: number
  db: string
  body: Document
  moreToCome: boolean
}

const CHECKSUM_PRESENT = 1
const MORE_TO_COME = 2
const EXHAUST_ALLOWED = 1 << 16
const KNOWN_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME | EXHAUST_ALLOWED

export class BadMessageError extends Error {}

const deserializeOptions = { promoteBuffers: false, validation: { utf8: true } } as const

function readDocument(buf: Buffer, offset: number, end: number): [Document, number] {
  if (offset + 5 > end) throw new BadMessageError('truncated BSON document')
  const size = buf.readInt32LE(offset)
  if (size < 5 || offset + size > end) throw new BadMessageError(`invalid BSON document size ${size}`)
  try {
    return [BSON.deserialize(buf.subarray(offset, offset + size), deserializeOptions), offset + size]
  } catch (err) {
    throw new BadMessageError(`invalid BSON: ${(err as Error).message}`)
  }
}

export function decodeRequest(frame: Buffer): Request {
  const requestId = frame.readInt32LE(4)
  const opCode = frame.readInt32LE(12)
  if (opCode === OpCode.MSG) return decodeOpMsg(frame, requestId)
  if (opCode === OpCode.QUERY) return decodeOpQuery(frame, requestId)
  if (opCode === OpCode.COMPRESSED)
    throw new FrameError('OP_COMPRESSED is not supported (no compressors advertised)')
  throw new FrameError(`unsupported opcode ${opCode}`)
}

function decodeOpMsg(frame: Buffer, requestId: number): Request {
  if (frame.length < HEADER_SIZE + 5) throw new FrameError('OP_MSG too short')
  const flags = frame.readUInt32LE(HEADER_SIZE)
  // Unknown bits in the low 16 are "required" flags per the spec: the message must be rejected.
  if ((flags & 0xffff & ~KNOWN_FLAGS) !== 0) throw new FrameError(`unsupported OP_MSG flags ${flags}`)
  const end = frame.length - (flags & CHECKSUM_PRESENT ? 4 : 0)
  let offset = HEADER_SIZE + 4
  let body: Document | null = null
  const sequences: [string, Document[]][] = []
  while (offset < end) {
    const kind = frame[offset++]
    if (kind === 0) {
      if (body) throw new BadMessageError('OP_MSG has more than one body section')
      ;[body, offset] = readDocument(frame, offset, end)
    } else if (kind === 1) {
      if (offset + 4 > end) throw new BadMessageError('truncated document sequence')
      const size = frame.readInt32LE(offset)
      const sectionEnd = offset + size
      if (size < 5 || sectionEnd > end) throw new BadMessageError(`invalid document sequence size ${size}`)
      const nameEnd = frame.indexOf(0, offset + 4)
      if (nameEnd < 0 || nameEnd >= sectionEnd) throw new BadMessageError('unterminated sequence identifier')
      const identifier = frame.toString('utf8', offset + 4, nameEnd)
      const docs: Document[] = []
      let at = nameEnd + 1
      while (at < sectionEnd) {
        const [doc, next] = readDocument(frame, at, sectionEnd)
        docs.push(doc)
        at = next
      }
      sequences.push([identifier, docs])
      offset = sectionEnd
    } else {
      throw new BadMessageError(`unknown OP_MSG section kind ${kind}`)
    }
  }
  if (!body) throw new BadMessageError('OP_MSG has no body section')
  for (const [identifier, docs] of sequences) {
    if (identifier in body)
      throw new BadMessageError(`duplicate field ${identifier} in body and document sequence`)
    body[identifier] = docs
  }
  const db = typeof body.$db === 'string' ? body.$db : ''
  if (!db) throw new BadMessageError('OP_MSG body is missing $db')
  return { requestId, opCode: OpCode.MSG, db, body, moreToCome: (flags & MORE_TO_COME) !== 0 }
}

function decodeOpQuery(frame: Buffer, requestId: number): Request {
  const nameStart = HEADER_SIZE + 4
  const nameEnd = frame.indexOf(0, nameStart)
  if (nameEnd < 0) throw new BadMessageError('unterminated OP_QUERY collection name')
  const fullName = frame.toString('utf8', nameStart, nameEnd)
  const [query] = readDocument(frame, nameEnd + 1 + 8, frame.length)
  const body = query.$query && typeof query.$query === 'object' ? (query.$query as Document) : query
  const dot = fullName.indexOf('.')
  if (dot < 0 || fullName.slice(dot + 1) !== '$cmd') {
    throw new BadMessageError(`OP_QUERY is only supported for commands, got ${fullName}`)
  }
  return { requestId, opCode: OpCode.QUERY, db: fullName.slice(0, dot), body, moreToCome: false }
}

let nextRequestId = 1

function header(buf: Buffer, length: number, responseTo: number, opCode: number): void {
  buf.writeInt32LE(length, 0)
  buf.writeInt32LE(nextRequestId++ & 0x7fffffff, 4)
  buf.writeInt32LE(responseTo, 8)
  buf.writeInt32LE(opCode, 12)
}

// Replies are serialized once into a reusable scratch buffer and copied out at their exact size (BSON.serialize
// would serialize into its own buffer, copy out, and the frame would then be a second copy). Cursor batches stay
// below MAX_BSON_OBJECT_SIZE, so the scratch always has room.
let scratch: Buffer | null = null
const SCRATCH_SIZE = MAX_BSON_OBJECT_SIZE + 1024 * 1024
const NO_TRAILER = Buffer.alloc(0)

// `trailer`: ready-made BSON elements appended to the reply document (the per-second $clusterTime fields).
export function encodeReply(request: Request, reply: Document, trailer: Buffer = NO_TRAILER): Buffer {
  const legacy = request.opCode === OpCode.QUERY
  const prefix = legacy ? HEADER_SIZE + 20 : HEADER_SIZE + 5
  scratch ??= Buffer.allocUnsafe(SCRATCH_SIZE)
  // Index of the document's terminating zero byte.
  const end = BSON.serializeWithBufferAndIndex(reply, scratch, { index: prefix })
  if (end + 1 + trailer.length > SCRATCH_SIZE || scratch.readInt32LE(prefix) !== end + 1 - prefix)
    throw new Error('reply document does not fit in the reply buffer')
  const buf = Buffer.allocUnsafe(end + 1 + trailer.length)
  scratch.copy(buf, 0, 0, end)
  trailer.copy(buf, end)
  buf[buf.length - 1] = 0
  buf.writeInt32LE(buf.length - prefix, prefix)
  header(buf, buf.length, request.requestId, legacy ? OpCode.REPLY : OpCode.MSG)
  if (legacy) {
    buf.writeInt32LE(0, 16)
    buf.writeBigInt64LE(0n, 20)
    buf.writeInt32LE(0, 28)
    buf.writeInt32LE(1, 32)
  } else {
    buf.writeUInt32LE(0, 16)
    buf[20] = 0
  }
  return buf
}
