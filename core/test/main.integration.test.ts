// The API entry point as a process: configuration problems exit 1 listing every variable; a valid
// configuration serves /health and SIGTERM stops it with exit code 0.
import { execFile, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, processEnv } from './entry-point-support.ts'

const MAIN = resolve(import.meta.dirname, '..', 'src', 'main.ts')

describe('core/src/main.ts', { timeout: 120_000 }, () => {
  it('exits 1 and lists every configuration problem at once', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(
        process.execPath,
        [MAIN],
        { env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: 'eighty' } },
        (error, _stdout, stderr) => done({ code: error ? Number(error.code) : 0, stderr })
      )
    )
    expect(result.code).toBe(1)
    for (const variable of ['PORT', 'MONGODB_URI', 'JWT_SECRET', 'PLATFORM_ENCRYPTION_KEY']) {
      expect(result.stderr).toContain(`${variable}:`)
    }
  })

  it('serves /health once listening and stops with exit code 0 on SIGTERM', async () => {
    const port = await freePort()
    const child = spawn(process.execPath, [MAIN], {
      env: { ...processEnv('main_entry'), PORT: String(port) }
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
    let status = 0
    while (Date.now() < deadline && child.exitCode === null) {
      status = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status,
        () => 0
      )
      if (status) break
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(status, output).toBe(200)
    expect(output).toContain('"msg":"api ready"')
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toContain('"msg":"api stopped"')
  })
})
