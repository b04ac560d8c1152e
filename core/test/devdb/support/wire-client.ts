// Minimal raw OP_MSG client for tests that must control exact bytes (retries, malformed messages).
import net from 'node:net'
import { BSON, type Document } from 'bson'

export function hostPort(uri: string): { host: string; port: number } {
  const hosts = uri
    .replace(/^mongodb:\/\//, '')
    .split(/[/?]/)[0]
    .split(',')[0]
  const [host, port] = hosts.split(':')
  return { host, port: Number(port ?? 27017) }
}

export function opMsg(body: Document, requestId = 1): Buffer {
  const doc = BSON.serialize(body)
  const buf = Buffer.alloc(21 + doc.length)
  buf.writeInt32LE(buf.length, 0)
  buf.writeInt32LE(requestId, 4)
  buf.writeInt32LE(0, 8)
  buf.writeInt32LE(2013, 12)
  buf.writeUInt32LE(0, 16)
  buf[20] = 0
  buf.set(doc, 21)
  return buf
}

export class WireClient {
  readonly socket: net.Socket
  private buffer = Buffer.alloc(0)
  private waiters: ((frame: Buffer | null) => void)[] = []
  closed = false

  private constructor(socket: net.Socket) {
    this.socket = socket
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const length = this.buffer.readInt32LE(0)
        const frame = this.buffer.subarray(0, length)
        this.buffer = this.buffer.subarray(length)
        this.waiters.shift()?.(frame)
      }
    })
    socket.on('close', () => {
      this.closed = true
      for (const w of this.waiters.splice(0)) w(null)
    })
    socket.on('error', () => {})
  }

  static connect(uri: string): Promise<WireClient> {
    const { host, port } = hostPort(uri)
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new WireClient(socket)))
      socket.once('error', reject)
    })
  }

  // Sends raw bytes and resolves with the next reply frame, or null if the server closed the connection.
  sendRaw(bytes: Buffer): Promise<Buffer | null> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(null)
      this.waiters.push(resolve)
      this.socket.write(bytes)
    })
  }

  async command(body: Document, requestId = 7): Promise<{ reply: Document; responseTo: number }> {
    const frame = await this.sendRaw(opMsg(body, requestId))
    if (!frame) throw new Error('connection closed')
    return { reply: BSON.deserialize(frame.subarray(21)), responseTo: frame.readInt32LE(8) }
  }

  close(): void {
    this.socket.destroy()
  }
}
