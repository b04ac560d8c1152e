// Typed Feathers Socket.io client for the browser (live lists and counters) and realtime tests. The
// tenant goes in the handshake; the token logs the connection in so it joins its channels.
import { feathers } from '@feathersjs/feathers'
import socketioModule from '@feathersjs/socketio-client'
import { io, type Socket } from 'socket.io-client'
import { registerCustomMethods } from './custom-methods.ts'
import type { MasterstageClient } from './types.ts'
import './core-service-types.ts'

// CommonJS default export: Node hands over module.exports, bundlers may wrap it in `default`.
const socketio = ((socketioModule as any).default ?? socketioModule) as (
  socket: unknown,
  options?: unknown
) => any

export interface SocketClientOptions {
  apiUrl: string
  tenant?: string
  accessToken?: string
  /** Milliseconds before a call without answer fails (default 10 s). */
  timeout?: number
  /** Custom methods of plugin services, by path (core's are known). */
  customMethods?: Readonly<Record<string, readonly string[]>>
}

export interface SocketClient {
  client: MasterstageClient
  socket: Socket
  /** Resolves once connected and (with a token) authenticated; rejects on a refused handshake. */
  ready: Promise<void>
  close(): void
}

export function createSocketClient(options: SocketClientOptions): SocketClient {
  const socket = io(options.apiUrl, {
    transports: ['websocket'],
    auth: options.tenant ? { tenant: options.tenant } : {},
    reconnectionDelayMax: 5_000
  })
  const client = feathers() as unknown as MasterstageClient
  const connection = socketio(socket as any, { timeout: options.timeout ?? 10_000 })
  client.configure(connection)
  registerCustomMethods(client as any, connection, options.customMethods)
  const connected = new Promise<void>((resolve, reject) => {
    if (socket.connected) return resolve()
    socket.once('connect', () => resolve())
    socket.once('connect_error', (error) => reject(error))
  })
  const ready = connected.then(async () => {
    if (!options.accessToken) return
    // Feathers authenticates a socket by calling authentication.create over it.
    await (client as any)
      .service('authentication')
      .create({ strategy: 'jwt', accessToken: options.accessToken })
  })
  // Re-authenticate after a reconnect: the server forgets the connection's user with the socket.
  socket.io.on('reconnect', () => {
    if (options.accessToken) {
      void (client as any)
        .service('authentication')
        .create({ strategy: 'jwt', accessToken: options.accessToken })
        .catch(() => undefined)
    }
  })
  return { client, socket, ready, close: () => socket.close() }
}
