// A minimal SMTP server on a random local port that records what clients send (envelope, data, auth),
// enough of RFC 5321 for nodemailer: EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
import { createServer, type Server, type Socket } from 'node:net'

export interface CapturedMessage {
  mailFrom: string
  rcptTo: string[]
  data: string
  auth?: { user: string; pass: string }
}

export interface TinySmtpServer {
  port: number
  messages: CapturedMessage[]
  /** Answers the next `count` DATA commands with a temporary (4xx) error. */
  failNextData(count: number): void
  close(): Promise<void>
}

export async function startTinySmtpServer(
  options: { auth?: { user: string; pass: string } } = {}
): Promise<TinySmtpServer> {
  const messages: CapturedMessage[] = []
  const sockets = new Set<Socket>()
  let failures = 0
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buffer = ''
    let mode: 'command' | 'data' | 'auth-plain' | 'auth-login-user' | 'auth-login-pass' = 'command'
    let authUser = ''
    let authenticated: { user: string; pass: string } | undefined
    let current: Partial<CapturedMessage> = {}
    let dataLines: string[] = []
    const reply = (line: string) => socket.write(`${line}\r\n`)
    const checkAuth = (user: string, pass: string) => {
      if (options.auth && options.auth.user === user && options.auth.pass === pass) {
        authenticated = { user, pass }
        reply('235 2.7.0 Authentication successful')
      } else reply('535 5.7.8 Authentication credentials invalid')
    }
    const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8')
    const onLine = (line: string) => {
      if (mode === 'data') {
        if (line === '.') {
          mode = 'command'
          if (failures > 0) {
            failures--
            reply('451 4.3.0 Temporary failure, try again')
            return
          }
          messages.push({
            mailFrom: current.mailFrom ?? '',
            rcptTo: current.rcptTo ?? [],
            data: dataLines.join('\n'),
            auth: authenticated
          })
          current = {}
          reply(`250 2.0.0 OK queued as ${messages.length}`)
        } else dataLines.push(line.startsWith('..') ? line.slice(1) : line)
        return
      }
      if (mode === 'auth-plain') {
        mode = 'command'
        const [, user, pass] = decode(line).split('\u0000')
        return checkAuth(user, pass)
      }
      if (mode === 'auth-login-user') {
        authUser = decode(line)
        mode = 'auth-login-pass'
        return reply('334 UGFzc3dvcmQ6')
      }
      if (mode === 'auth-login-pass') {
        mode = 'command'
        return checkAuth(authUser, decode(line))
      }
      const [verb, ...rest] = line.split(' ')
      const argument = rest.join(' ')
      switch (verb.toUpperCase()) {
        case 'EHLO':
          socket.write('250-localhost\r\n')
          if (options.auth) socket.write('250-AUTH PLAIN LOGIN\r\n')
          return reply('250 8BITMIME')
        case 'HELO':
          return reply('250 localhost')
        case 'AUTH': {
          const [mechanism, initial] = argument.split(' ')
          if (mechanism.toUpperCase() === 'PLAIN') {
            if (initial) {
              const [, user, pass] = decode(initial).split('\u0000')
              return checkAuth(user, pass)
            }
            mode = 'auth-plain'
            return reply('334 ')
          }
          if (mechanism.toUpperCase() === 'LOGIN') {
            mode = 'auth-login-user'
            return reply('334 VXNlcm5hbWU6')
          }
          return reply('504 5.5.4 Unrecognized authentication type')
        }
        case 'MAIL':
          if (options.auth && !authenticated) return reply('530 5.7.0 Authentication required')
          current = { mailFrom: /<([^>]*)>/.exec(argument)?.[1] ?? '', rcptTo: [] }
          return reply('250 2.1.0 OK')
        case 'RCPT':
          current.rcptTo = [...(current.rcptTo ?? []), /<([^>]*)>/.exec(argument)?.[1] ?? '']
          return reply('250 2.1.5 OK')
        case 'DATA':
          mode = 'data'
          dataLines = []
          return reply('354 End data with <CR><LF>.<CR><LF>')
        case 'RSET':
          current = {}
          return reply('250 2.0.0 OK')
        case 'NOOP':
          return reply('250 2.0.0 OK')
        case 'QUIT':
          reply('221 2.0.0 Bye')
          return void socket.end()
        default:
          return reply('502 5.5.2 Command not recognized')
      }
    }
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      let index = buffer.indexOf('\r\n')
      while (index !== -1) {
        const line = buffer.slice(0, index)
        buffer = buffer.slice(index + 2)
        onLine(line)
        index = buffer.indexOf('\r\n')
      }
    })
    reply('220 localhost ESMTP tiny-smtp-server')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('SMTP server has no port')
  return {
    port: address.port,
    messages,
    failNextData(count) {
      failures = count
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
