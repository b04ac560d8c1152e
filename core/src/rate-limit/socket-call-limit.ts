// Core's per-IP request limit for Socket.io: every packet a connected socket sends (each service call) counts
// against the same rule and budget as the client IP's HTTP requests (countIpRequest), so no public method is
// unlimited over a socket. Over the limit the call's acknowledgement gets the HTTP 429's RATE_LIMITED error
// and the service is not called. Fails open when Redis cannot count, as the HTTP limit does.
import type { Application } from '../app/declarations.ts'
import type { SocketMiddleware } from '../app/socket-middleware.ts'
import { rateLimited } from '../errors/codes.ts'
import { type HitOutcome, warnAndFailOpen } from './count-hit.ts'
import { countIpRequest } from './rate-limit-middleware.ts'

type Packet = unknown[]

/**
 * A handshake middleware that installs the per-packet limit on the socket. The client IP is read per packet
 * from `socket.feathers.ip`, which the tenant middleware sets once the handshake is accepted.
 */
export function socketCallLimit(app: Application): SocketMiddleware {
  const unavailable = warnAndFailOpen(() => app.get('logger'), 'rate limit unavailable, failing open')
  return (socket, next) => {
    const judge = (packet: Packet, outcome: HitOutcome, pass: () => void) => {
      if (!outcome || outcome.allowed) return pass()
      // Not next(error): Socket.io would emit it as the server socket's 'error' and the caller would wait
      // for an acknowledgement that never comes. Feathers' method handlers pass the ack last.
      const ack = packet[packet.length - 1]
      if (typeof ack === 'function') ack(rateLimited(outcome.retryAfterSeconds).toJSON())
    }
    const connection = socket as unknown as { feathers?: { ip?: string } }
    socket.use((packet, pass) => {
      const outcome = countIpRequest(app, connection.feathers?.ip || 'unknown-ip', unavailable)
      if (outcome instanceof Promise) outcome.then((result) => judge(packet, result, pass))
      else judge(packet, outcome, pass)
    })
    next()
  }
}
