// The worker entry point as a process: runs job workers without a public HTTP server, answers its
// optional health port, and drains and exits 0 on SIGTERM.
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, processEnv } from './entry-point-support.ts'

const WORKER = resolve(import.meta.dirname, '..', 'src', 'worker.ts')

describe('core/src/worker.ts', { timeout: 120_000 }, () => {
  it('starts the workers, answers the health port, and stops with exit code 0', async () => {
    const [healthPort, apiPort] = [await freePort(), await freePort()]
    const child = spawn(process.execPath, [WORKER], {
      env: { ...processEnv('worker_entry'), WORKER_HEALTH_PORT: String(healthPort), PORT: String(apiPort) }
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    const deadline = Date.now() + 90_000
    while (Date.now() < deadline && child.exitCode === null && !output.includes('"msg":"worker running"')) {
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(output).toContain('"msg":"worker running"')
    expect(output).toContain('"msg":"job workers started"')
    const health = await fetch(`http://127.0.0.1:${healthPort}/health`)
    expect(health.status).toBe(200)
    // No API: the worker never listens on the platform port.
    await expect(fetch(`http://127.0.0.1:${apiPort}/health`)).rejects.toThrow()
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toContain('"msg":"worker stopped"')
  })
})
