// Test client: a real Socket.io client speaking the Feathers socket protocol, collecting received events.
import { io, type Socket } from 'socket.io-client'

export interface TestSocket {
  socket: Socket
  /** Every `<path> <event>` received, in order. */
  received: { event: string; data: any }[]
  call<T = any>(method: string, path: string, ...args: unknown[]): Promise<T>
  close(): void
}

export async function connectSocket(url: string, auth: Record<string, unknown> = {}): Promise<TestSocket> {
  const socket = io(url, { transports: ['websocket'], auth, reconnection: false, forceNew: true })
  const received: TestSocket['received'] = []
  socket.onAny((event, data) => received.push({ event, data }))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', (error) => reject(error))
  })
  return {
    socket,
    received,
    call: (method, path, ...args) =>
      new Promise((resolve, reject) => {
        socket.emit(method, path, ...args, (error: any, result: any) =>
          error ? reject(error) : resolve(result)
        )
      }),
    close: () => socket.close()
  }
}
