// Splits a TCP byte stream into whole wire-protocol messages; rejects impossible lengths before buffering them.
import { HEADER_SIZE, MAX_MESSAGE_SIZE } from './opcodes.ts'

export class FrameError extends Error {}

export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
  }

  // Next complete message, or null when more bytes are needed; throws FrameError on a bad length.
  next(): Buffer | null {
    if (this.buffered < 4) return null
    const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.flatten()
    const length = head.readInt32LE(0)
    if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE)
      throw new FrameError(`invalid message length ${length}`)
    if (this.buffered < length) return null
    const all = this.chunks.length === 1 ? this.chunks[0] : this.flatten()
    const frame = all.subarray(0, length)
    const rest = all.subarray(length)
    this.chunks = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
    return frame
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered)
    this.chunks = [all]
    return all
  }
}
