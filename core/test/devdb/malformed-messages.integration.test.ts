// Malformed wire messages close or fail only their own connection; the server keeps serving everyone else.
import { BSON } from 'bson'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mongoServerUri } from '../support/database.ts'
import { opMsg, WireClient } from './support/wire-client.ts'

let healthy: WireClient
const dbName = `devdb_malformed_${process.pid}`

beforeAll(async () => {
  healthy = await WireClient.connect(mongoServerUri())
})

afterAll(() => healthy?.close())

async function stillServing(): Promise<void> {
  const { reply } = await healthy.command({ ping: 1, $db: dbName })
  expect(reply.ok).toBe(1)
  const fresh = await WireClient.connect(mongoServerUri())
  try {
    expect((await fresh.command({ ping: 1, $db: dbName })).reply.ok).toBe(1)
  } finally {
    fresh.close()
  }
}

// The server either answers with an error or closes the connection; it must not answer with success.
async function expectRejected(bytes: Buffer, opts: { partial?: boolean } = {}): Promise<void> {
  const bad = await WireClient.connect(mongoServerUri())
  try {
    if (opts.partial) {
      bad.socket.write(bytes)
      bad.socket.end()
      await new Promise((r) => bad.socket.once('close', r))
      return
    }
    const frame = await bad.sendRaw(bytes)
    if (frame !== null) {
      const reply = BSON.deserialize(frame.subarray(21))
      expect(reply.ok).toBe(0)
    }
  } finally {
    bad.close()
  }
}

describe('malformed messages', () => {
  it('answers correct responseTo values for pipelined requests on one connection', async () => {
    const c = await WireClient.connect(mongoServerUri())
    try {
      const [a, b] = await Promise.all([
        c.command({ ping: 1, $db: dbName }, 101),
        c.command({ ping: 1, $db: dbName }, 102)
      ])
      expect([a.responseTo, b.responseTo]).toEqual([101, 102])
    } finally {
      c.close()
    }
  })

  it('answers the legacy OP_QUERY isMaster handshake with OP_REPLY', async () => {
    const c = await WireClient.connect(mongoServerUri())
    try {
      const query = BSON.serialize({ isMaster: 1, helloOk: true })
      const name = Buffer.from('admin.$cmd\0')
      const buf = Buffer.alloc(16 + 4 + name.length + 8 + query.length)
      buf.writeInt32LE(buf.length, 0)
      buf.writeInt32LE(77, 4)
      buf.writeInt32LE(2004, 12)
      name.copy(buf, 20)
      buf.writeInt32LE(0, 20 + name.length)
      buf.writeInt32LE(-1, 24 + name.length)
      buf.set(query, 28 + name.length)
      const frame = await c.sendRaw(buf)
      expect(frame).not.toBeNull()
      expect(frame!.readInt32LE(8)).toBe(77)
      expect(frame!.readInt32LE(12)).toBe(1)
      expect(frame!.readInt32LE(32)).toBe(1)
      const reply = BSON.deserialize(frame!.subarray(36))
      expect(reply.ismaster).toBe(true)
      expect(reply.maxWireVersion).toBeGreaterThanOrEqual(17)
    } finally {
      c.close()
    }
  })

  it('rejects a negative or tiny message length', async () => {
    const buf = opMsg({ ping: 1, $db: dbName })
    buf.writeInt32LE(-5, 0)
    await expectRejected(buf)
    const tiny = Buffer.alloc(16)
    tiny.writeInt32LE(8, 0)
    await expectRejected(tiny)
    await stillServing()
  })

  it('rejects an absurdly large declared length without buffering it', async () => {
    const buf = opMsg({ ping: 1, $db: dbName })
    buf.writeInt32LE(0x7fffffff, 0)
    await expectRejected(buf)
    await stillServing()
  })

  it('rejects truncated or corrupt BSON inside a well-framed OP_MSG', async () => {
    const good = opMsg({ ping: 1, $db: dbName })
    // Declared BSON length larger than the section.
    const longDoc = Buffer.from(good)
    longDoc.writeInt32LE(good.length, 21)
    await expectRejected(longDoc)
    // BSON with a bogus element type.
    const badType = Buffer.from(good)
    badType[25] = 0x7e
    await expectRejected(badType)
    // Body cut short but the frame length adjusted to match.
    const cut = Buffer.from(good.subarray(0, good.length - 4))
    cut.writeInt32LE(cut.length, 0)
    await expectRejected(cut)
    await stillServing()
  })

  it('rejects unknown opcodes and OP_COMPRESSED', async () => {
    const unknown = opMsg({ ping: 1, $db: dbName })
    unknown.writeInt32LE(9999, 12)
    await expectRejected(unknown)
    const compressed = opMsg({ ping: 1, $db: dbName })
    compressed.writeInt32LE(2012, 12)
    await expectRejected(compressed)
    await stillServing()
  })

  it('survives a client that sends half a message and hangs up', async () => {
    const buf = opMsg({ ping: 1, $db: dbName })
    await expectRejected(buf.subarray(0, 10), { partial: true })
    await expectRejected(buf.subarray(0, buf.length - 3), { partial: true })
    await stillServing()
  })
})
