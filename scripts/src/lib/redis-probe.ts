// Checks that a Redis server answers PING, without a client library (start-up must stay light).
import { connect } from 'node:net'

export function pingRedis(redisUrl: string, timeoutMs = 1000): Promise<boolean> {
  const url = new URL(redisUrl)
  return new Promise((resolve) => {
    const socket = connect(Number(url.port || 6379), url.hostname || '127.0.0.1')
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => {
      const password = decodeURIComponent(url.password)
      if (password) {
        const user = decodeURIComponent(url.username) || 'default'
        socket.write(`AUTH ${user} ${password}\r\n`)
      }
      socket.write('PING\r\n')
    })
    let reply = ''
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('+PONG')) done(true)
      else if (reply.startsWith('-') && reply.includes('\r\n')) done(false)
    })
  })
}
