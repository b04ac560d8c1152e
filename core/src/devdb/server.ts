// TCP listener: frames each connection's byte stream, runs its commands in order, writes replies.
import net from 'node:net'
import { dispatch } from './commands/dispatch.ts'
import { clusterTimeElements } from './commands/handshake.ts'
import type { Engine } from './engine.ts'
import { ErrorCodes, MongoCommandError } from './errors.ts'
import { FrameError, FrameReader } from './wire/frame-reader.ts'
import { BadMessageError, decodeRequest, encodeReply, type Request } from './wire/messages.ts'
import { HEADER_SIZE, OpCode } from './wire/opcodes.ts'

export class WireServer {
  private readonly engine: Engine
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()

  constructor(engine: Engine) {
    this.engine = engine
    this.server = net.createServer((socket) => this.accept(socket))
    this.server.on('error', (err) => engine.logger.error({ err }, 'devdb listener error'))
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        resolve((this.server.address() as net.AddressInfo).port)
      })
    })
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    await closed
  }

  private accept(socket: net.Socket): void {
    const connectionId = this.engine.nextConnectionId++
    const reader = new FrameReader()
    const queue: Buffer[] = []
    let busy = false
    this.sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())

    const fail = (reason: string) => {
      this.engine.logger.warn({ connectionId, reason }, 'closing devdb connection after a malformed message')
      queue.length = 0
      socket.destroy()
    }

    const pump = async () => {
      if (busy) return
      busy = true
      try {
        while (queue.length > 0 && !socket.destroyed) {
          const frame = queue.shift()!
          const reply = await this.handle(frame, connectionId)
          if (reply && !socket.destroyed) socket.write(reply)
        }
      } catch (err) {
        fail((err as Error).message)
      } finally {
        busy = false
      }
    }

    socket.on('data', (chunk) => {
      reader.push(chunk)
      try {
        for (let frame = reader.next(); frame; frame = reader.next()) queue.push(frame)
      } catch (err) {
        fail((err as Error).message)
        return
      }
      void pump()
    })
  }

  // Returns the encoded reply, or null for fire-and-forget (moreToCome) requests.
  private async handle(frame: Buffer, connectionId: number): Promise<Buffer | null> {
    let request: Request
    try {
      request = decodeRequest(frame)
    } catch (err) {
      if (
        err instanceof BadMessageError &&
        frame.length >= HEADER_SIZE &&
        frame.readInt32LE(12) === OpCode.MSG
      ) {
        // The frame itself was sound: answer with an error and keep the connection usable.
        const stub: Request = {
          requestId: frame.readInt32LE(4),
          opCode: OpCode.MSG,
          db: '',
          body: {},
          moreToCome: false
        }
        const error = new MongoCommandError(ErrorCodes.InvalidBSON, err.message).toReply()
        return encodeReply(stub, error, clusterTimeElements())
      }
      if (err instanceof FrameError || err instanceof BadMessageError) throw err
      throw err
    }
    const reply = await dispatch({
      engine: this.engine,
      db: request.db,
      body: request.body,
      opCode: request.opCode,
      connectionId
    })
    return request.moreToCome ? null : encodeReply(request, reply, clusterTimeElements())
  }
}
