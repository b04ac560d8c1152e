// Makes sure Redis answers for `npm start`: uses a running one, else starts a throwaway local
// redis-server (no persistence) that stops with the platform, else explains how to get one.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { pingRedis } from './redis-probe.ts'

export interface RedisHandle {
  url: string
  /** True when this process started the server (and will stop it). */
  started: boolean
  stop(): Promise<void>
}

export class RedisUnavailableError extends Error {
  constructor(url: string, reason: string) {
    super(
      `Redis does not answer at ${url} (${reason}).\n` +
        '  Install it: sudo apt-get install -y redis-server   (macOS: brew install redis)\n' +
        '  or point REDIS_URL at a running Redis, e.g. REDIS_URL=redis://127.0.0.1:6379 npm start'
    )
    this.name = 'RedisUnavailableError'
  }
}

function isLocal(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)
}

export async function ensureRedis(redisUrl: string, dataDir: string): Promise<RedisHandle> {
  if (await pingRedis(redisUrl)) return { url: redisUrl, started: false, stop: async () => {} }
  const url = new URL(redisUrl)
  if (!isLocal(url)) throw new RedisUnavailableError(redisUrl, 'remote server not reachable')
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new RedisUnavailableError(redisUrl, 'redis-server is not installed')
  }
  mkdirSync(dataDir, { recursive: true })
  const port = url.port || '6379'
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir],
    { stdio: 'ignore' }
  )
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  for (let attempt = 0; attempt < 50 && !exited; attempt++) {
    if (await pingRedis(redisUrl, 200)) {
      return {
        url: redisUrl,
        started: true,
        stop: () =>
          new Promise<void>((resolve) => {
            if (exited) return resolve()
            child.once('exit', () => resolve())
            child.kill('SIGTERM')
          })
      }
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill('SIGKILL')
  throw new RedisUnavailableError(redisUrl, 'a local redis-server was started but never answered')
}
