// Hook-point for Socket.io handshake middleware (tenant resolution, authentication): registered any
// time before the server starts, installed when Socket.io is created at app.setup().
import type { Socket } from 'socket.io'
import type { Application } from './declarations.ts'

export type SocketMiddleware = (socket: Socket, next: (error?: Error) => void) => void

const middlewaresByApp = new WeakMap<Application, SocketMiddleware[]>()

export function useSocketMiddleware(app: Application, middleware: SocketMiddleware): void {
  const list = middlewaresByApp.get(app) ?? []
  list.push(middleware)
  middlewaresByApp.set(app, list)
}

export function socketMiddlewares(app: Application): readonly SocketMiddleware[] {
  return middlewaresByApp.get(app) ?? []
}
