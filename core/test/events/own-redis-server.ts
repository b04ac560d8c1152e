// Starts a private redis-server child on a free port (no persistence), so a test can stop and restart
// Redis without touching the shared one on 6379.
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer, Socket } from 'node:net'

export interface OwnRedisServer {
  port: number
  url: string
  start(): Promise<void>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))
      )
    })
  })
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    socket.setTimeout(300)
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
  })
}

export async function createOwnRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore'
        }
      )
      const started = Date.now()
      while (!(await answersPing(port))) {
        if (Date.now() - started > 10_000) throw new Error(`redis-server on ${port} did not start`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async stop() {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null) return
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve())
        running.kill('SIGKILL')
      })
    }
  }
}
